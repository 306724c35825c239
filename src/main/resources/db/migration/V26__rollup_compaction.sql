-- Rollup compaction (ledger.RollupCompaction) finds the days that still have shard rows other than 0 through these
-- partial indexes: only rows of days not folded yet are in them (7 of 8 new rollup rows until their day is
-- compacted), so they stay small, and updates of the sums (the indexed columns do not change) stay HOT.
create index usage_team_daily_shards_idx on usage_team_daily (day) where shard <> 0;
create index outcome_daily_shards_idx on outcome_daily (day) where shard <> 0;
