-- encours_decimal_ok(x, scale): x is a number that DECIMAL(18, scale) holds exactly (no rounding).
CREATE OR REPLACE TEMP MACRO encours_decimal_ok(x, scale) AS
    x IS NOT NULL
    AND regexp_full_match(trim(x), '-?[0-9]{1,16}(\.[0-9]+)?')
    AND CASE scale
            WHEN 2 THEN try_cast(trim(x) AS DECIMAL(38, 10)) = try_cast(trim(x) AS DECIMAL(38, 2))
            ELSE try_cast(trim(x) AS DECIMAL(38, 10)) = try_cast(trim(x) AS DECIMAL(38, 6))
        END;
