// Must NOT compile with the pipeline target's include paths (DESIGN.md §2).
#include "harness/cli.h"

int BoundaryProbe() { return 0; }
