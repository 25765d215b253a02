-- Keeps one lease alive (Relay's shared lane limits, docs/cluster.md): a lease that expired while
-- the store was out of reach is counted again, since its attempt is still under way.
-- KEYS per lane: leases, msgs. ARGV: now ms, ttl ms, lease id; then per lane: paced (1/0), transactions, message window ms.
-- Returns how many of its lanes had let the lease lapse (gone, or past its expiry): meanwhile
-- another node may have used the slot, so the node says so.
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local id = ARGV[3]
local lapsed = 0
for i = 0, #KEYS / 2 - 1 do
  local leases, msgs = KEYS[i * 2 + 1], KEYS[i * 2 + 2]
  local a = 3 + i * 3
  local expiry = redis.call('ZSCORE', leases, id)
  if not expiry or tonumber(expiry) <= now then lapsed = lapsed + 1 end
  redis.call('ZADD', leases, now + ttl, id)
  redis.call('PEXPIRE', leases, 2 * ttl)
  if ARGV[a + 1] == '1' then
    for t = 1, tonumber(ARGV[a + 2]) do redis.call('ZADD', msgs, now + ttl, id .. ':' .. t) end
    redis.call('PEXPIRE', msgs, tonumber(ARGV[a + 3]) + 2 * ttl)
  end
end
return lapsed
