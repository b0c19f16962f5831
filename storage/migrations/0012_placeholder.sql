-- Placeholder on branch bulletin only, so that 0015 applies (numbers have no gaps): the lead
-- drops this file when merging the real 0012 of its owner.
SELECT 1;
