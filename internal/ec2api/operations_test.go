package ec2api

import "testing"

func TestOperationTableIsTheWholeModel(t *testing.T) {
	if n := OperationCount(); n != 625 {
		t.Errorf("%d operations, want the model's 625", n)
	}
	for _, op := range []string{"CreateVpc", "DescribeFleets", "DescribeVpcs", "AcceptAddressTransfer"} {
		if !IsOperation(op) {
			t.Errorf("IsOperation(%q) = false", op)
		}
	}
	for _, op := range []string{"", "createVpc", "CreateVpcs", "Frobnicate"} {
		if IsOperation(op) {
			t.Errorf("IsOperation(%q) = true", op)
		}
	}
}

// Every implemented operation is a model operation and has both shapes.
func TestImplementedOperationsHaveShapes(t *testing.T) {
	for _, op := range []string{"CreateVpc", "DescribeVpcs", "DeleteVpc", "CreateSubnet", "DescribeSubnets",
		"DeleteSubnet", "CreateTags", "DescribeTags"} {
		if !IsOperation(op) {
			t.Errorf("%s is not in the model", op)
		}
		if _, ok := NewInput(op); !ok {
			t.Errorf("no input shape for %s", op)
		}
		if _, ok := NewOutput(op); !ok {
			t.Errorf("no output shape for %s", op)
		}
	}
	if _, ok := NewInput("DescribeFleets"); ok {
		t.Error("DescribeFleets has shapes, but it is not implemented")
	}
}
