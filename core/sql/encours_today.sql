-- encours_today(): the date "today" is measured against, in every view.
-- The app and the tests pin it per connection (SET VARIABLE encours_today = '2026-11-22');
-- an analyst's session falls back to current_date.
CREATE OR REPLACE MACRO encours_today() AS
    coalesce(try_cast(getvariable('encours_today') AS DATE), current_date);
