// Must NOT compile with the pipeline target's include paths (docs/design.md §2.2).
#include "harness/cli.h"

int BoundaryProbe() { return 0; }
