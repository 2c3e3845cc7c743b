#!/usr/bin/env bash
# Fuzz every API operation from the OpenAPI schema against a throwaway server; any 5xx fails.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=${SCHEMATHESIS_PORT:-8765}
export DJANGO_SETTINGS_MODULE=shouhu.config.settings.local
export DATABASE_URL="sqlite:///$work/schemathesis.sqlite3"
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost
py=.venv/bin/python
$py manage.py migrate --noinput -v 0
$py manage.py createcachetable
$py manage.py load_demo > /dev/null
token=$($py manage.py shell -c "from rest_framework.authtoken.models import Token; from shouhu.accounts.models import User; print(Token.objects.get_or_create(user=User.objects.get(username='admin'))[0].key)" 2>/dev/null | tail -1)
$py manage.py runserver "127.0.0.1:$port" --noreload > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 30); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
status=0
.venv/bin/schemathesis run "http://127.0.0.1:$port/api/schema/" \
  --header "Authorization: Token $token" \
  --checks not_a_server_error \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" \
  --phases "${SCHEMATHESIS_PHASES:-examples,coverage,fuzzing,stateful}" \
  --exclude-path /api/v1/auth/token/ \
  --seed 20220105 || status=$?
if grep -q "Internal Server Error\|Traceback" "$work/server.log"; then
  echo "服务器日志中有错误："; grep -B2 -A20 "Traceback" "$work/server.log" | head -80
  status=1
fi
exit $status
