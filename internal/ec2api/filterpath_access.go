package ec2api

import "reflect"

// The Network Access Analyzer operations' element shapes, added here rather than in
// filterpath.go's table so that its alignment stays as it is (EC2 documents no filter names
// for them; their Filters are refused by name).
func init() {
	elementShapes["DescribeNetworkInsightsAccessScopes"] = reflect.TypeFor[NetworkInsightsAccessScope]()
	elementShapes["DescribeNetworkInsightsAccessScopeAnalyses"] = reflect.TypeFor[NetworkInsightsAccessScopeAnalysis]()
}
