-- wrk script: cycles through pre-signed requests, one Connect JWT per URL, as Jira sends them.
-- Usage: wrk ... -s bench/requests.lua http://127.0.0.1:PORT -- requests.txt
-- requests.txt has one "PATH TOKEN" pair a line; PATH holds the query string.

local counter = 0

function setup(thread)
   -- Each thread starts at its own place in the list, so threads do not send the same URL in step.
   thread:set("offset", counter)
   counter = counter + 1
end

local requests = {}
local n = 0
local i = 0

function init(args)
   local path = args[1]
   if path == nil then
      error("requests.lua: pass the requests file after '--'")
   end
   for line in io.lines(path) do
      local url, token = line:match("^(%S+)%s+(%S+)$")
      if url then
         requests[#requests + 1] = wrk.format("GET", url, { ["Authorization"] = "JWT " .. token })
      end
   end
   n = #requests
   if n == 0 then
      error("requests.lua: no requests in " .. path)
   end
   i = math.floor((offset or 0) * n * 0.618) % n
end

function request()
   i = i % n + 1
   return requests[i]
end
