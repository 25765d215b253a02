-- Ends one lease (Relay's shared lane limits, docs/cluster.md): its lanes get their room back, its
-- messages count from now in their windows, and a throttling reply rests every paced lane.
-- KEYS per lane: leases, msgs, pause.
-- ARGV: now ms, lease id, throttled (1/0), ttl ms, rest asked for ms (Retry-After; 0: none); then
--   per lane 4 values: paced (1/0), transactions, throttle pause ms, message window ms
local now = tonumber(ARGV[1])
local id = ARGV[2]
local throttled = ARGV[3] == '1'
local ttl = tonumber(ARGV[4])
local asked = tonumber(ARGV[5])
for i = 0, #KEYS / 3 - 1 do
  local leases, msgs, pause = KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3]
  local a = 5 + i * 4
  redis.call('ZREM', leases, id)
  if ARGV[a + 1] == '1' then
    for t = 1, tonumber(ARGV[a + 2]) do redis.call('ZADD', msgs, now, id .. ':' .. t) end
    redis.call('PEXPIRE', msgs, tonumber(ARGV[a + 4]) + 2 * ttl)
    if throttled then
      local rest = math.max(tonumber(ARGV[a + 3]), asked)
      if now + rest > tonumber(redis.call('GET', pause) or '0') then
        redis.call('SET', pause, now + rest, 'PX', rest)
      end
    end
  end
end
return 1
