-- What each budget cap does with a request it can no longer pay for (issue 14's degrade policies, per budget):
-- reject, local_only or lower_tier (dev.wanhybrid.cost.budget.WhenExhausted). Portable SQL: H2 and PostgreSQL.
ALTER TABLE budget_caps ADD COLUMN when_exhausted VARCHAR(16) DEFAULT 'reject' NOT NULL;
