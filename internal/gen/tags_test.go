package gen

import (
	"slices"
	"testing"

	"github.com/vpclab/vpclab/internal/model"
)

// The forwarding of an appliance's OS, which describe-* JSON has no field for, travels as the
// model.ForwardingTag: stateful, or off for one that does not route (§6.2, §13.13); a tag
// already there is kept.
func TestInstanceTagsForwarding(t *testing.T) {
	tag := func(v string) []model.Tag { return []model.Tag{{Key: model.ForwardingTag, Value: v}} }
	for _, c := range []struct {
		in   model.Instance
		want []model.Tag
	}{
		{model.Instance{}, nil},
		{model.Instance{StatefulForwarding: true}, tag("stateful")},
		{model.Instance{IPForwardOff: true}, tag("off")},
		{model.Instance{IPForwardOff: true, StatefulForwarding: true}, tag("off")},
		{model.Instance{IPForwardOff: true, Tags: tag("stateless")}, tag("stateless")},
	} {
		if got := instanceTags(&c.in); !slices.Equal(got, c.want) {
			t.Errorf("%+v: tags %v, want %v", c.in, got, c.want)
		}
	}
}
