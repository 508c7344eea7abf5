# Parses an EC2 XML response read from stdin with botocore's own ec2 parser and prints the
# parsed dict as JSON; used by botocore_test.go. Arguments: operation name, HTTP status.
import json
import sys

import botocore.parsers
import botocore.session

op, status = sys.argv[1], int(sys.argv[2])
body = sys.stdin.buffer.read()
model = botocore.session.get_session().get_service_model('ec2').operation_model(op)
parser = botocore.parsers.create_parser('ec2')
parsed = parser.parse({'status_code': status, 'headers': {}, 'body': body}, model.output_shape)
json.dump(parsed, sys.stdout, default=str, sort_keys=True)
