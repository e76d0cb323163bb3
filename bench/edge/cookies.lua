-- wrk script: every request carries a cookie NAME=user-XXXXXXXX with a random id in [0, 2e7).
-- With bench/edge/make-profiles.sh (even ids have a profile) half of the ids have a profile.
-- Usage: wrk ... -s cookies.lua URL -- PATH COOKIE_NAME
local path, name = "/", "userId"
function init(args)
  path = args[1] or path
  name = args[2] or name
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end
function request()
  return wrk.format("GET", path, { ["Cookie"] = name .. "=user-" .. string.format("%08d", math.random(0, 19999999)) })
end
