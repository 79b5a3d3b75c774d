"$HMN" spill -- /nonexistent/program --flag
