-- wrk script for the fault and load runs: cycles through pre-signed reads and writes, and counts
-- answers by status class per thread (wrk itself lumps every status >= 400 together).
-- Usage: wrk ... -s bench/mixed.lua http://127.0.0.1:PORT -- requests.txt
-- requests.txt: "METHOD PATH TOKEN [JSON BODY]" a line (bench/faultlib.py write_wrk_requests).

-- setup(), request() and the reading of the file: bench/cycle.lua, beside this script.
local cycle = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "cycle.lua")
c2, c4, c503, c5, cother = 0, 0, 0, 0, 0

function init(args)
   cycle.load("mixed.lua", args, function(line)
      local method, url, token, body = line:match("^(%u+)%s+(%S+)%s+(%S+)%s*(.*)$")
      if not method then
         return nil
      end
      local headers = { ["Authorization"] = "JWT " .. token }
      if body ~= "" then
         headers["Content-Type"] = "application/json"
      else
         body = nil
      end
      return wrk.format(method, url, headers, body)
   end)
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      c2 = c2 + 1
   elseif status >= 400 and status < 500 then
      c4 = c4 + 1
   elseif status == 503 then
      c503 = c503 + 1
   elseif status >= 500 then
      c5 = c5 + 1
   else
      cother = cother + 1
   end
end

function done(summary, latency, requests)
   local s2, s4, s503, s5, so = 0, 0, 0, 0, 0
   for _, thread in ipairs(cycle.threads) do
      s2 = s2 + thread:get("c2")
      s4 = s4 + thread:get("c4")
      s503 = s503 + thread:get("c503")
      s5 = s5 + thread:get("c5")
      so = so + thread:get("cother")
   end
   local e = summary.errors
   io.write(string.format(
      'MIXED {"requests": %d, "seconds": %.3f, "2xx": %d, "4xx": %d, "503": %d, "5xx": %d, "other": %d, ' ..
      '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
      '"p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
      summary.requests, summary.duration / 1e6, s2, s4, s503, s503 + s5, so,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
