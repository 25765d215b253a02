-- Grants one attempt on every claimed lane, or none (Relay's shared lane limits, docs/cluster.md).
-- KEYS[1]: the hash of suspended connectors; then per lane 5 keys:
--   leases (ZSET lease id -> expiry ms), msgs (ZSET message entry -> ms it counts from; entries in
--   flight carry their lease's expiry), rcpts (ZSET "id:count" -> ms), rcptsum (recipients in
--   rcpts), pause (ms the lane rests until after a throttling reply)
-- ARGV: now ms, lease ttl ms, lease id, connector, recheck ms; then per lane 8 values:
--   max at once, paced (1/0), transactions, recipients, messages per window, message window ms,
--   recipients per window, recipient window ms
-- Returns {verdict, lane index (0-based), ms to ask again at, reason}; verdict is ok, full, wait or suspended.
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local id = ARGV[3]
local recheck = tonumber(ARGV[5])
local by = redis.call('HGET', KEYS[1], ARGV[4])
if by then
  return {'suspended', 0, now + recheck, 'connector suspended by ' .. by}
end
local lanes = (#KEYS - 1) / 5
local function count_of(member)
  return tonumber(string.match(member, ':(%d+)$'))
end
for i = 0, lanes - 1 do
  local k = 1 + i * 5
  local a = 5 + i * 8
  local leases, msgs, rcpts, rsum, pause = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  if redis.call('ZCARD', leases) >= tonumber(ARGV[a + 1]) then
    local first = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')
    return {'full', i, math.min(now + recheck, tonumber(first[2])), ARGV[a + 1] .. ' at once reached'}
  end
  if ARGV[a + 2] == '1' then
    local tx, rc = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
    local mlimit, mwin = tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
    local rlimit, rwin = tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8])
    local rest = tonumber(redis.call('GET', pause) or '0')
    if rest > now then
      return {'wait', i, rest, 'mailbox paused after the upstream throttled it'}
    end
    redis.call('ZREMRANGEBYSCORE', msgs, '-inf', now - mwin)
    local counted = redis.call('ZCARD', msgs)
    if counted > 0 and counted + tx > mlimit then
      local first = redis.call('ZRANGEBYSCORE', msgs, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
      local at = now + recheck
      if #first > 0 then at = tonumber(first[2]) + mwin end
      return {'wait', i, at, mlimit .. ' messages per window reached'}
    end
    local old = redis.call('ZRANGEBYSCORE', rcpts, '-inf', now - rwin)
    if #old > 0 then
      local gone = 0
      for _, m in ipairs(old) do gone = gone + count_of(m) end
      redis.call('ZREMRANGEBYSCORE', rcpts, '-inf', now - rwin)
      if redis.call('DECRBY', rsum, gone) < 0 then redis.call('SET', rsum, 0) end
    end
    local inwin = tonumber(redis.call('GET', rsum) or '0')
    if inwin > 0 and inwin + rc > rlimit then
      local all = redis.call('ZRANGE', rcpts, 0, -1, 'WITHSCORES')
      local left, at = inwin, nil
      for j = 1, #all, 2 do
        left = left - count_of(all[j])
        if left + rc <= rlimit then
          at = tonumber(all[j + 1]) + rwin
          break
        end
      end
      if not at then at = now + rwin end
      return {'wait', i, at, rlimit .. ' recipients per window reached'}
    end
  end
end
for i = 0, lanes - 1 do
  local k = 1 + i * 5
  local a = 5 + i * 8
  local leases, msgs, rcpts, rsum = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
  redis.call('ZADD', leases, now + ttl, id)
  redis.call('PEXPIRE', leases, 2 * ttl)
  if ARGV[a + 2] == '1' then
    local tx, rc = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
    local mwin, rwin = tonumber(ARGV[a + 6]), tonumber(ARGV[a + 8])
    for t = 1, tx do redis.call('ZADD', msgs, now + ttl, id .. ':' .. t) end
    redis.call('PEXPIRE', msgs, mwin + 2 * ttl)
    redis.call('ZADD', rcpts, now, id .. ':' .. rc)
    redis.call('INCRBY', rsum, rc)
    redis.call('PEXPIRE', rcpts, rwin + ttl)
    redis.call('PEXPIRE', rsum, rwin + ttl)
  end
end
return {'ok', 0, 0, ''}
