package collect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// operation is one describe-* call (or family of per-table calls) and the files it gives.
type operation struct {
	name string // the CLI's name, as messages and file names say it
	key  string // the answer's top-level key
	// run calls the API and returns the files to write and what it found ("3 Vpcs").
	run func(ctx context.Context) (files []answerFile, count string, err error)
}

// pager is an SDK paginator.
type pager[O any, Opt any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(Opt)) (O, error)
}

// pages reads every page of p and gathers the items each gives. The result is never nil:
// an account without such objects answers an empty list, which the snapshot keeps.
func pages[O, T, Opt any](ctx context.Context, p pager[O, Opt], items func(O) []T) ([]T, error) {
	all := []T{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, items(out)...)
	}
	return all, nil
}

// list is an operation that lists objects with IDs into one file of one key, sorted by ID.
func list[T any](name, key string, fetch func(ctx context.Context) ([]T, error), id func(*T) string) operation {
	return operation{name: name, key: key, run: func(ctx context.Context) ([]answerFile, string, error) {
		items, err := fetch(ctx)
		if err != nil {
			return nil, "", err
		}
		sortBy(items, id)
		return []answerFile{{name: name, fields: []field{{key, items}}}}, fmt.Sprintf("%d %s", len(items), key), nil
	}}
}

// sortBy sorts items by a string key, keeping the API's order among equals.
func sortBy[T any](items []T, id func(*T) string) {
	slices.SortStableFunc(items, func(a, b T) int { return cmp.Compare(id(&a), id(&b)) })
}

// perTable runs one per-table call for each table and names each file
// <name>.<table>.json, as the loader wants the answers that do not name their table.
// get gives a table's file fields and its item count. A table whose call fails is an
// error naming it; the others are still written. An endpoint that does not implement the
// call fails the whole operation, so it is warned about once.
func (r *regionRun) perTable(name, key string, tables func() []string,
	get func(ctx context.Context, table string) ([]field, int, error)) operation {
	return operation{name: name, key: key, run: func(ctx context.Context) ([]answerFile, string, error) {
		var files []answerFile
		n := 0
		ts := tables()
		for _, t := range ts {
			fields, count, err := get(ctx, t)
			if err != nil {
				if notImplemented(err) || ctx.Err() != nil {
					return nil, "", err
				}
				r.error("%s of %s: %v; the snapshot has no %s answer for this table", name, t, err, key)
				continue
			}
			files = append(files, answerFile{name: name + "." + t, fields: fields})
			n += count
		}
		return files, fmt.Sprintf("%d %s in %d table(s)", n, key, len(ts)), nil
	}}
}

// notImplemented says whether err is the endpoint saying it does not know the operation:
// moto's and LocalStack's answers for what they lack, or a partition without the service.
func notImplemented(err error) bool {
	var ee *emulatorError
	if errors.As(err, &ee) {
		return true
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == 501 {
		return true
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "InvalidAction", "UnsupportedOperation", "NotImplemented", "NotImplementedError",
		"UnknownOperationException", "InvalidOperation":
		return true
	}
	return strings.Contains(strings.ToLower(ae.ErrorMessage()), "not been implemented") ||
		strings.Contains(strings.ToLower(ae.ErrorMessage()), "not yet implemented")
}

// short is an API error's code and message without the SDK's request details.
func short(err error) string {
	var ee *emulatorError
	if errors.As(err, &ee) {
		return ee.Error()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return strings.TrimSpace(ae.ErrorCode() + ": " + ae.ErrorMessage())
	}
	return err.Error()
}

// emulatorError is an endpoint's HTTP 500 answered with a web page rather than an AWS error:
// what moto's server answers for an operation it does not implement (its Python raises
// NotImplementedError). AWS itself answers every error in its protocol's shape.
type emulatorError struct{ status int }

func (e *emulatorError) Error() string {
	return fmt.Sprintf("the endpoint answered HTTP %d with a web page instead of an AWS answer, as moto does for what it does not implement", e.status)
}

// RetryableError tells the SDK's retryer not to ask again: the answer will not change.
func (e *emulatorError) RetryableError() bool { return false }

// addEmulatorCheck turns an HTML 500 into an emulatorError before the SDK's deserializer
// tries to read it as an AWS error (and the retryer asks twice more).
func addEmulatorCheck(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("vpclabEmulatorCheck",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if err != nil {
				return out, md, err
			}
			resp, ok := out.RawResponse.(*smithyhttp.Response)
			if !ok || resp.StatusCode != 500 || !strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html") {
				return out, md, err
			}
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			return out, md, &emulatorError{status: resp.StatusCode}
		}), middleware.After)
}
