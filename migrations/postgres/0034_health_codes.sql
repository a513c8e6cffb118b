-- Projects now read their stage and health as closed sets (issue 14): a code outside the set is an
-- error when the row is read. The demo loader of earlier versions wrote "delayed" for what the
-- set calls "behind" (滞后); such rows are brought into the set here.
UPDATE projects SET health = 'behind' WHERE health = 'delayed';
