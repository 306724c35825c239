-- Routing advice in dollars (issue 20, section 4): the usage rollups also add up the short requests, so that what
-- they would have cost on the same provider's efficient model can be estimated from the pricing table without
-- reading raw events. A short request is a usage event of exactly one request whose tokens in total (input, output,
-- cache reads and cache writes) are at most ledger.ModelRouting.SHORT_REQUEST_TOKENS (docs/digest.md#routing).
-- Rows written before this migration count no short requests.
alter table usage_daily
    add column short_requests           bigint not null default 0,
    add column short_input_tokens       bigint not null default 0,
    add column short_output_tokens      bigint not null default 0,
    add column short_cache_read_tokens  bigint not null default 0,
    add column short_cache_write_tokens bigint not null default 0;
alter table usage_team_daily
    add column short_requests           bigint not null default 0,
    add column short_input_tokens       bigint not null default 0,
    add column short_output_tokens      bigint not null default 0,
    add column short_cache_read_tokens  bigint not null default 0,
    add column short_cache_write_tokens bigint not null default 0;
