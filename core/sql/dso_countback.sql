-- dso_countback(r, s1, s2, s3, d1, d2, d3): days sales outstanding by the countback method
-- (docs/metrics.md, "DSO"). r = receivables today; s1..s3 = net sales of the last three months,
-- most recent first; d1..d3 = the days in each of those months. Walk back month by month,
-- taking each month's sales out of r, until r is used up; a month with no (or negative) sales
-- counts whole. When three months do not cover r, the answer is d1 + d2 + d3 (shown "> 3 mois").
CREATE OR REPLACE MACRO dso_countback(r, s1, s2, s3, d1, d2, d3) AS
    CASE
        WHEN r IS NULL OR r <= 0 THEN 0
        WHEN r <= greatest(coalesce(s1, 0), 0)
            THEN d1 * r / greatest(coalesce(s1, 0), 0)
        WHEN r <= greatest(coalesce(s1, 0), 0) + greatest(coalesce(s2, 0), 0)
            THEN d1 + d2 * (r - greatest(coalesce(s1, 0), 0)) / greatest(coalesce(s2, 0), 0)
        WHEN r <= greatest(coalesce(s1, 0), 0) + greatest(coalesce(s2, 0), 0) + greatest(coalesce(s3, 0), 0)
            THEN d1 + d2 + d3 * (r - greatest(coalesce(s1, 0), 0) - greatest(coalesce(s2, 0), 0))
                            / greatest(coalesce(s3, 0), 0)
        ELSE d1 + d2 + d3
    END;
