-- Group standings read each group's members straight off one covering index (server, group,
-- member) instead of the index and the table.
CREATE INDEX member_roles_role_user ON member_roles (guild_id, role_id, user_id);
DROP INDEX member_roles_role;
