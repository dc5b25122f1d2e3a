-- wrk script: cycles through pre-signed requests, one Connect JWT per URL, as Jira sends them.
-- Usage: wrk ... -s bench/requests.lua http://127.0.0.1:PORT -- requests.txt
-- requests.txt has one "PATH TOKEN" pair a line; PATH holds the query string.

-- setup(), request() and the reading of the file: bench/cycle.lua, beside this script.
local cycle = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "cycle.lua")

function init(args)
   cycle.load("requests.lua", args, function(line)
      local url, token = line:match("^(%S+)%s+(%S+)$")
      return url and wrk.format("GET", url, { ["Authorization"] = "JWT " .. token })
   end)
end
