// Package ec2api is the protocol codec of `vpclab serve` (issue 11): the EC2 Query protocol
// that the AWS CLI, the SDKs and Terraform speak, so that they can build labs against vpclab.
// A request is a form-encoded POST (Action=...&Version=2016-11-15&...); a response is XML
// in the namespace http://ec2.amazonaws.com/doc/2016-11-15/, and a failure is AWS's error
// envelope.
//
// The shapes are generated from the official model, api-2.json of
// github.com/aws/aws-sdk-go v1.55.8 (pinned in internal/gen), by `go generate
// ./internal/ec2api`; the generated code is committed and the server binary links no SDK.
// operations_gen.go names every operation of the model, so the server can tell a
// known-but-unimplemented action (UnsupportedOperation) from an unknown one (InvalidAction);
// shapes_gen.go holds a struct per shape reached by the implemented operations;
// filters_gen.go holds the filter names each Describe operation documents (from the model's
// docs-2.json), which CompileFilters (filter.go) checks and resolves to member paths so that
// the server answers Filter.N.Name/Filter.N.Value.M as EC2 does.
//
// The generated structs are plain data whose `ec2` tags carry the model's serialization
// names (q= request parameter, x= response element, i= list item element, req= required),
// and a small reflection core (codec.go) decodes and encodes them. That keeps the
// serialization rules in one reviewed place instead of repeating them in generated code for
// every shape; the cost, reflection per request, is nothing beside an API call's round trip.
// Unset members are nil pointers or nil slices, and are omitted from responses as AWS omits
// them.
package ec2api

//go:generate go run ./internal/gen -out .
