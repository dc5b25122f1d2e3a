-- The part the wrk scripts share (bench/requests.lua, forge.lua, mixed.lua): each thread cycles
-- through the pre-signed requests of a file, starting at its own place in it.
-- A script loads it from beside itself, whatever directory wrk was started in:
--   local cycle = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "cycle.lua")
-- It defines the globals setup() and request(); the script defines init(args) calling cycle.load.

local cycle = { threads = {} }  -- threads: every thread, in the setup/done environment
local counter = 0

function setup(thread)
   -- Each thread starts at its own place in the list, so threads do not send the same URL in step.
   thread:set("offset", counter)
   counter = counter + 1
   table.insert(cycle.threads, thread)
end

local requests = {}
local n = 0
local i = 0

-- Reads the requests file passed after '--': `format(line)` makes each line's request (nil skips it).
-- `name` (the script's) is what the errors say.
function cycle.load(name, args, format)
   local path = args[1]
   if path == nil then
      error(name .. ": pass the requests file after '--'")
   end
   for line in io.lines(path) do
      local made = format(line)
      if made then
         requests[#requests + 1] = made
      end
   end
   n = #requests
   if n == 0 then
      error(name .. ": no requests in " .. path)
   end
   i = math.floor((offset or 0) * n * 0.618) % n
end

function request()
   i = i % n + 1
   return requests[i]
end

return cycle
