// What the helper changes about its own process to protect the tokens in its memory, and
// how `exec` hands the caller's own settings back to the command it becomes: a umask of
// 077 or a zero core limit must not leak into terraform or a build.
#pragma once

namespace squadcast::helper {

// No core dumps, no ptrace by other tools of the user, private files; remembers the
// caller's umask and core-size limit first. Called once, at the top of main().
void protect_process();

// Puts back the caller's umask and core-size limit (just before execve).
void restore_caller_process_settings();

}  // namespace squadcast::helper
