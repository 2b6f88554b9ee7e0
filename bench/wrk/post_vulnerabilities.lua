-- wrk script: every request POSTs a vulnerability with a name no other
-- request uses (thread id + counter), with one FixedIn, so each request is a
-- real write that creates a notification (issue 12's API write path).
--   wrk -t8 -c8 -d10s --latency -s bench/wrk/post_vulnerabilities.lua http://127.0.0.1:6060
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  run = os.time()
end

function request()
  counter = counter + 1
  local name = string.format("CVE-%d-%d-%d", run, tid, counter)
  local body = '{"Vulnerability":{"Name":"' .. name .. '","NamespaceName":"debian:12",' ..
      '"Link":"https://security-tracker.debian.org/tracker/' .. name .. '",' ..
      '"Severity":"High","Description":"wrk write path",' ..
      '"FixedIn":[{"Name":"openssl","NamespaceName":"debian:12","Version":"3.0.11-1"}]}}'
  return wrk.format("POST", "/v1/namespaces/debian:12/vulnerabilities",
      {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 201 then
    errors_seen = (errors_seen or 0) + 1
    if errors_seen <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end
