-- PLACEHOLDER on branch helper-m only: helper-w's 0007_collections.sql (the collector workflow)
-- takes this number. Migrations must be consecutive, so this empty step lets 0008_messages apply
-- on this branch. When merging, keep helper-w's file and drop this one (an add/add conflict).
SELECT 1;
