package serve

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// query is what every Describe* request may ask: IDs, filters and a page.
type query struct {
	op         string
	ids        []string
	filters    []ec2api.Filter
	maxResults *int32
	nextToken  *string
	// notFound is the error code for an ID that names nothing (InvalidVpcID.NotFound), what
	// the resource is called in its message.
	notFound, what string
}

// describe answers a Describe* request over records, sorted by ID: the IDs asked for (each
// must exist), then the filters, then the page. It returns copies, and the next page's
// token when there is one.
func describe[T any](q query, records []*T, idOf func(*T) string) ([]T, *string, error) {
	if len(q.ids) > 0 {
		have := map[string]bool{}
		for _, r := range records {
			have[idOf(r)] = true
		}
		var missing []string
		for _, id := range q.ids {
			if !have[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return nil, nil, errorf(q.notFound, "The %s ID '%s' does not exist", q.what, strings.Join(missing, "', '"))
		}
		records = pick(records, func(r *T) bool { return slices.Contains(q.ids, idOf(r)) })
	}
	m, err := ec2api.CompileFilters(q.op, q.filters)
	if err != nil {
		return nil, nil, err
	}
	after := ""
	if q.nextToken != nil && *q.nextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(*q.nextToken)
		if err != nil || !strings.HasPrefix(string(b), "after:") {
			return nil, nil, errorf("InvalidNextToken", "The token '%s' is invalid.", *q.nextToken)
		}
		after = strings.TrimPrefix(string(b), "after:")
	}
	limit := -1
	if q.maxResults != nil {
		if *q.maxResults < 5 || *q.maxResults > 1000 {
			return nil, nil, errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *q.maxResults)
		}
		limit = int(*q.maxResults)
	}
	var out []T
	for _, r := range records {
		if after != "" && idOf(r) <= after {
			continue
		}
		if !m.Match(r) {
			continue
		}
		if limit >= 0 && len(out) == limit {
			next := base64.RawURLEncoding.EncodeToString([]byte("after:" + idOf(&out[len(out)-1])))
			return out, &next, nil
		}
		out = append(out, *r)
	}
	if out == nil {
		out = []T{} // an empty answer is an empty set, not an absent one
	}
	return out, nil, nil
}

// tagsFrom are the tags of the request's TagSpecification for resource type rt.
func tagsFrom(specs []ec2api.TagSpecification, rt string) []ec2api.Tag {
	var tags []ec2api.Tag
	for _, s := range specs {
		if val(s.ResourceType) == rt {
			tags = append(tags, s.Tags...)
		}
	}
	return tags
}

// checkTagSpecs refuses a TagSpecification for a resource type the operation does not
// create, as EC2 does.
func checkTagSpecs(specs []ec2api.TagSpecification, types ...string) error {
	for _, s := range specs {
		if !slices.Contains(types, val(s.ResourceType)) {
			return errorf("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", val(s.ResourceType))
		}
	}
	return nil
}

// nameTag is the value of the Name tag, or "".
func nameTag(tags []ec2api.Tag) string {
	for _, t := range tags {
		if val(t.Key) == "Name" {
			return val(t.Value)
		}
	}
	return ""
}
