-- wrk script for bench/run.py: builds each request, counts responses by status
-- in every thread, and prints one JSON line at the end.
--
-- Arguments (after `--`): options as name=value, then one or more paths, which
-- it cycles through. Headers come from wrk's -H options.
--
--   method=GET        the request method
--   body=...          the request body ("" for none); placeholders in it are
--                     filled for each request:
--                       {unique}  a string no other request of any run has:
--                                 run tag, thread, counter and a random number
--                       {ticket}  a ticket token, from the mix below
--   status=201        the only status that counts as success (default: any 2xx)
--   tally=result      count the values of this JSON string field in the answers
--   run=...           a tag unique to this wrk run (part of {unique})
--   threads=N         wrk's --threads, so that each thread takes its own tickets
--   fresh=FILE        ticket tokens never scanned, one a line
--   fresh_start=N     how many of them earlier runs already used
--   scanned=FILE      ticket tokens already checked in, one a line
--
-- The ticket mix: 60 % fresh tickets (each sent once; when the file is used up
-- they become repeats), 25 % repeats (a ticket already checked in: from the
-- scanned file or sent earlier in this run), 15 % forged (a genuine token with
-- one character of its signature changed).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads - 1)
end

local function read_lines(path)
  local lines = {}
  if path == nil or path == "" then return lines end
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if line ~= "" then table.insert(lines, line) end
  end
  file:close()
  return lines
end

function init(args)
  local options = {}
  paths = {}
  for _, arg in ipairs(args) do
    if arg:sub(1, 1) == "/" then
      table.insert(paths, arg)
    else
      local eq = arg:find("=", 1, true)
      options[arg:sub(1, eq - 1)] = arg:sub(eq + 1)
    end
  end
  method = options.method or "GET"
  body = options.body or ""
  expected = tonumber(options.status or "")
  tally_pattern = nil
  if options.tally and options.tally ~= "" then
    tally_pattern = '"' .. options.tally .. '":"([%w_]+)"'
  end
  run_tag = options.run or "0"
  nthreads = tonumber(options.threads or "1")
  math.randomseed((tonumber(run_tag:sub(-9)) or os.time()) + tid * 7919)

  templated = body:find("{unique}", 1, true) or body:find("{ticket}", 1, true)
  if not templated then
    -- Fixed requests, built once.
    fixed = {}
    local b = body ~= "" and body or nil
    for _, path in ipairs(paths) do table.insert(fixed, wrk.format(method, path, nil, b)) end
  end

  fresh = read_lines(options.fresh)
  fresh_start = tonumber(options.fresh_start or "0")
  scanned = read_lines(options.scanned)
  fresh_used = 0
  mix = {fresh = 0, ["repeat"] = 0, forged = 0}

  index = 0
  counter = 0
  s1xx, s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0, 0
  bad = 0
  first_bad = 0
  tally = {}
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

local function forge(token)
  -- Characters 1-15 carry the 11 header bytes (partly, for the 15th); from the
  -- 16th on, the 64-byte Ed25519 signature alone.
  local at = math.random(16, #token)
  local old = token:sub(at, at)
  local new = old
  while new == old do
    local k = math.random(1, #B64)
    new = B64:sub(k, k)
  end
  return token:sub(1, at - 1) .. new .. token:sub(at + 1)
end

local function ticket()
  local roll = math.random()
  if roll < 0.60 then
    local i = fresh_start + tid + fresh_used * nthreads + 1
    if i <= #fresh then
      fresh_used = fresh_used + 1
      mix.fresh = mix.fresh + 1
      local token = fresh[i]
      table.insert(scanned, token)
      return token
    end
  end
  if roll < 0.85 then
    mix["repeat"] = mix["repeat"] + 1
    return scanned[math.random(1, #scanned)]
  end
  mix.forged = mix.forged + 1
  return forge(scanned[math.random(1, #scanned)])
end

local function fill(template)
  local out = template
  if out:find("{unique}", 1, true) then
    counter = counter + 1
    local unique = string.format("%s-%d-%d-%d", run_tag, tid, counter, math.random(0, 999999999))
    out = out:gsub("{unique}", unique)
  end
  if out:find("{ticket}", 1, true) then
    out = out:gsub("{ticket}", ticket())
  end
  return out
end

function request()
  index = index % #paths + 1
  if fixed then return fixed[index] end
  return wrk.format(method, paths[index], nil, fill(body))
end

function response(status, headers, response_body)
  if status < 200 then s1xx = s1xx + 1
  elseif status < 300 then s2xx = s2xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
  local ok
  if expected then ok = status == expected else ok = status >= 200 and status <= 299 end
  if not ok then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
  if tally_pattern and response_body then
    local value = response_body:match(tally_pattern)
    if value then tally[value] = (tally[value] or 0) + 1 end
  end
end

local function json_counts(counts)
  local parts = {}
  for name, count in pairs(counts) do
    table.insert(parts, string.format('"%s":%d', name, count))
  end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local totals = {s1xx = 0, s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0, bad = 0}
  local tallies, mixes = {}, {}
  local first, start, most_fresh = 0, 0, 0
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
    if first == 0 then first = thread:get("first_bad") or 0 end
    for name, count in pairs(thread:get("tally") or {}) do tallies[name] = (tallies[name] or 0) + count end
    for name, count in pairs(thread:get("mix") or {}) do mixes[name] = (mixes[name] or 0) + count end
    start = thread:get("fresh_start") or 0
    most_fresh = math.max(most_fresh, thread:get("fresh_used") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"status":{"1xx":%d,"2xx":%d,"3xx":%d,"4xx":%d,"5xx":%d},"bad":%d,"first_bad_status":%d,' ..
    '"tally":%s,"mix":%s,"fresh_next":%d,' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    totals.s1xx, totals.s2xx, totals.s3xx, totals.s4xx, totals.s5xx, totals.bad, first,
    json_counts(tallies), json_counts(mixes), start + most_fresh * #threads,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
