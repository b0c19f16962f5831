-- Reserved for the supporters branch (issue #16 part 1): a placeholder so that 0013 applies on
-- this branch alone. At the merge, delete this file and keep supporters' 0012.
SELECT 1;
