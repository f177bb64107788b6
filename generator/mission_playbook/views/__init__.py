"""What the site and the commands show: the pages and their templates, the diagrams, the check's
report and the plan diff's presentation. Views read the model; they never change it."""
