package ec2api

import "sort"

// IsOperation reports whether name is an operation of the EC2 model, implemented or not.
func IsOperation(name string) bool {
	i := sort.SearchStrings(operationNames[:], name)
	return i < len(operationNames) && operationNames[i] == name
}

// OperationCount is the number of operations in the model.
func OperationCount() int { return len(operationNames) }

// operationShapes makes fresh input and output values of one operation.
type operationShapes struct {
	input, output func() any
}

// NewInput returns a pointer to a zero input struct of op, or false when op's shapes are not
// generated (not in internal/gen's implemented list).
func NewInput(op string) (any, bool) {
	s, ok := operations[op]
	if !ok {
		return nil, false
	}
	return s.input(), true
}

// NewOutput returns a pointer to a zero output struct of op, or false as NewInput does.
func NewOutput(op string) (any, bool) {
	s, ok := operations[op]
	if !ok {
		return nil, false
	}
	return s.output(), true
}
