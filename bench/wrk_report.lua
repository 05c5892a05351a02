-- wrk script of bench/loadgen.py: cycles through the paths given after `--`,
-- fills each body's placeholders, counts answers that are not the scenario's
-- status, and prints one JSON line at the end.
--
-- Arguments: method=, body=, status= (the only success; default any 2xx), run=
-- (a tag unique to this wrk run), fresh= and scanned= (files of check-in tickets,
-- one a line), fresh_start= (fresh tickets earlier runs used), content_type= (every
-- answer 200 has a Content-Type starting with it), count_text= and count= (every
-- answer 200 holds count_text exactly count times), then the paths.
-- {unique} in a body: run tag, counter and a random number. {ticket}: 60 % a fresh
-- ticket (each sent once; once used up, repeats), 25 % one already scanned, 15 %
-- forged (one character of the signature changed). One wrk thread (loadgen.py).

local thread_
function setup(thread) thread_ = thread end

local function lines(path)
  local found = {}
  if path and path ~= "" then
    for line in io.lines(path) do if line ~= "" then table.insert(found, line) end end
  end
  return found
end

function init(args)
  local o = {}
  paths = {}
  for _, arg in ipairs(args) do
    if arg:sub(1, 1) == "/" then table.insert(paths, arg)
    else local eq = arg:find("=", 1, true); o[arg:sub(1, eq - 1)] = arg:sub(eq + 1) end
  end
  method, body, expected, run_tag = o.method or "GET", o.body or "", tonumber(o.status or ""), o.run or "0"
  math.randomseed(tonumber(run_tag:sub(-9)) or os.time())
  fresh, scanned = lines(o.fresh), lines(o.scanned)
  fresh_next = tonumber(o.fresh_start or "0")
  fresh_used, counter, index, bad, first_bad = 0, 0, 0, 0, 0
  content_type, count_text, count = o.content_type, o.count_text, tonumber(o.count or "")
  wrong, first_wrong = 0, ""
  if not (body:find("{unique}", 1, true) or body:find("{ticket}", 1, true)) then
    fixed = {}
    for _, path in ipairs(paths) do table.insert(fixed, wrk.format(method, path, nil, body ~= "" and body or nil)) end
  end
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

local function ticket()
  local roll = math.random()
  if roll < 0.60 and fresh_next < #fresh then
    fresh_next, fresh_used = fresh_next + 1, fresh_used + 1
    table.insert(scanned, fresh[fresh_next])
    return fresh[fresh_next]
  end
  local token = scanned[math.random(1, #scanned)]
  if roll < 0.85 then return token end
  -- From the 16th character on, a token holds the Ed25519 signature alone.
  local at = math.random(16, #token)
  local new = token:sub(at, at)
  while new == token:sub(at, at) do local k = math.random(1, #B64); new = B64:sub(k, k) end
  return token:sub(1, at - 1) .. new .. token:sub(at + 1)
end

function request()
  index = index % #paths + 1
  if fixed then return fixed[index] end
  counter = counter + 1
  local text = body:gsub("{unique}", string.format("%s-%d-%d", run_tag, counter, math.random(0, 999999999)))
  if text:find("{ticket}", 1, true) then text = text:gsub("{ticket}", ticket()) end
  return wrk.format(method, paths[index], nil, text)
end

-- What an answer 200 lacks of the scenario's content, or nil.
local function lacks(headers, response_body)
  if content_type then
    local found = ""
    for name, value in pairs(headers) do if name:lower() == "content-type" then found = value end end
    if found:sub(1, #content_type) ~= content_type then return "Content-Type " .. found end
  end
  if count_text then
    local n, at = 0, 1
    while true do
      local s, e = response_body:find(count_text, at, true)
      if not s then break end
      n, at = n + 1, e + 1
    end
    if n ~= count then return string.format("%d times %s, not %d", n, count_text, count) end
  end
  return nil
end

function response(status, headers, response_body)
  local ok = (expected and status == expected) or (not expected and status >= 200 and status < 300)
  if not ok then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  elseif status == 200 and (content_type or count_text) then
    local why = lacks(headers, response_body)
    if why then
      wrong = wrong + 1
      if first_wrong == "" then first_wrong = why:gsub("[^%w %p]", "?"):gsub('["\\]', "'") end
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"bad":%d,"first_bad_status":%d,"fresh_used":%d,' ..
    '"wrong":%d,"first_wrong":"%s",' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, thread_:get("bad"), thread_:get("first_bad"),
    thread_:get("fresh_used"), thread_:get("wrong"), thread_:get("first_wrong"), e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
