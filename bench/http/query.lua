-- SPDX-License-Identifier: Apache-2.0
-- wrk script: POST /v1/databases/bench/query, an indexed equality that
-- returns 10 rows (bench/http/run.sh seeds 1000 users, 10 per status).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"nql":"FROM users WHERE status = \\"s7\\""}'
wrk.path = "/v1/databases/bench/query"
