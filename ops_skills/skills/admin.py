"""Systems with their skills, skills and assessments are registered in ``ops_skills.web.admin``:
saving them can change levels, which the flows above the apps refresh."""
