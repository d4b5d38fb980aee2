"""People, roles, regions and programmes; log in and the admin pages."""
