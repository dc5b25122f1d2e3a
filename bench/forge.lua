-- wrk script: cycles through pre-signed Forge requests, as Forge Remote's invokeRemote sends them:
-- a Forge Invocation Token as `Authorization: Bearer` and the app system token in x-forge-oauth-system.
-- Usage: wrk ... -s bench/forge.lua http://127.0.0.1:PORT -- forge-requests.txt
-- forge-requests.txt has one "PATH FIT SYSTEM_TOKEN" triple a line; PATH holds the query string.

-- setup(), request() and the reading of the file: bench/cycle.lua, beside this script.
local cycle = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "cycle.lua")

function init(args)
   cycle.load("forge.lua", args, function(line)
      local url, token, system = line:match("^(%S+)%s+(%S+)%s+(%S+)$")
      return url and wrk.format("GET", url, {
         ["Authorization"] = "Bearer " .. token, ["x-forge-oauth-system"] = system })
   end)
end
