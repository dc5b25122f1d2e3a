-- wrk script: cycles through pre-signed Forge requests, as Forge Remote's invokeRemote sends them:
-- a Forge Invocation Token as `Authorization: Bearer` and the app system token in x-forge-oauth-system.
-- Usage: wrk ... -s bench/forge.lua http://127.0.0.1:PORT -- forge-requests.txt
-- forge-requests.txt has one "PATH FIT SYSTEM_TOKEN" triple a line; PATH holds the query string.

local counter = 0

function setup(thread)
   thread:set("offset", counter)
   counter = counter + 1
end

local requests = {}
local n = 0
local i = 0

function init(args)
   local path = args[1]
   if path == nil then
      error("forge.lua: pass the requests file after '--'")
   end
   for line in io.lines(path) do
      local url, token, system = line:match("^(%S+)%s+(%S+)%s+(%S+)$")
      if url then
         requests[#requests + 1] = wrk.format("GET", url, {
            ["Authorization"] = "Bearer " .. token, ["x-forge-oauth-system"] = system })
      end
   end
   n = #requests
   if n == 0 then
      error("forge.lua: no requests in " .. path)
   end
   i = math.floor((offset or 0) * n * 0.618) % n
end

function request()
   i = i % n + 1
   return requests[i]
end
