-- wrk script for bench/ingest.py: cycles through pre-signed webhook bodies (BENCH_BODIES, one
-- "signature<TAB>body" per line). Thread t takes ids t, t+T, t+2T, ... and posts each one
-- BENCH_REPEAT times in a row (default 2); wrk hands consecutive requests to different
-- connections, so the posts of one external_id race each other like a retrying integration. BENCH_LIMITS ("n1,n2,...", one per
-- thread), if set, keeps thread t to the first n_t bodies of its share: the replay phase, which
-- re-posts only ids the first phase already sent.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local total = tonumber(os.getenv("BENCH_THREADS"))
  local limit = 0
  local k = 1
  for value in string.gmatch(os.getenv("BENCH_LIMITS") or "", "%d+") do
    if k == tid then
      limit = tonumber(value)
    end
    k = k + 1
  end
  sigs, bodies = {}, {}
  local i = 0
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    if limit > 0 and #bodies >= limit then
      break
    end
    if i % total == tid - 1 then
      local tab = line:find("\t", 1, true)
      table.insert(sigs, line:sub(1, tab - 1))
      table.insert(bodies, line:sub(tab + 1))
    end
    i = i + 1
  end
  n = 0
  repeat_n = tonumber(os.getenv("BENCH_REPEAT") or "2")
  created, replayed, other = 0, 0, 0
end

function request()
  local k = (math.floor(n / repeat_n) % #bodies) + 1
  n = n + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Helpdesk-Signature"] = sigs[k],
  }, bodies[k])
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 200 then
    replayed = replayed + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, r, o = 0, 0, 0
  local sent = {}
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    r = r + t:get("replayed")
    o = o + t:get("other")
    -- ids this thread fully posted (every copy sent)
    table.insert(sent, tostring(math.floor(t:get("n") / t:get("repeat_n"))))
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"status": {"201": %d, "200": %d, "other": %d}, "sent_ids": "%s", ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "non_2xx": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    c, r, o, table.concat(sent, ","), e.connect, e.read, e.write, e.timeout, e.status))
end
