package serve

// Until ec2api.CompileFilters lands, filters fail closed.

import "github.com/vpclab/vpclab/internal/ec2api"

type stubMatcher struct{}

func (stubMatcher) Match(any) bool { return true }

func compileFilters(op string, fs []ec2api.Filter) (stubMatcher, error) {
	if len(fs) > 0 {
		return stubMatcher{}, errorf("InvalidParameterValue", "vpclab serve does not support filters on %s yet", op)
	}
	return stubMatcher{}, nil
}
