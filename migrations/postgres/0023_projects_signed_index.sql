-- The evaluation reads the projects signed in a window (资金到位率, 项目开工率, 签约额) for every
-- scope and period: a range on the signing date instead of every project of the province.
CREATE INDEX projects_actual_sign ON projects(actual_sign);
