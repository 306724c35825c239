-- LiteLLM alert webhook deliveries of the last 24 hours (dev.yardstick.limits, POST /webhooks/litellm). LiteLLM's
-- events carry no id, so the same body again within 24 hours counts once: only the SHA-256 of the body is kept, and
-- rows older than 24 hours are deleted with each delivery.
create table litellm_alert (
    body_sha256 char(64)    primary key,
    received_at timestamptz not null
);
