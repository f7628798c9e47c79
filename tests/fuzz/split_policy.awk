# Splits a policy into policies of one check each, for the policy fuzz target's seeds: every
# file gets the text before the first `  - id:` item (comments, the policy block, `checks:`)
# and one item. Usage: awk -v out=DIR -v base=NAME -f split_policy.awk POLICY.yml
/^  - id:/ { if (f) close(f); n++; f = sprintf("%s/%s-%03d.yml", out, base, n); printf "%s", head > f }
n == 0 { head = head $0 "\n"; next }
{ print > f }
