#include "pam_conversation.hpp"

#include <cstdlib>
#include <cstring>

namespace squadcast::pam {

Result<Secret> prompt_echo_off(pam_handle_t* pamh, const std::string& prompt) {
  const void* item = nullptr;
  if (pam_get_item(pamh, PAM_CONV, &item) != PAM_SUCCESS || item == nullptr) {
    return Error{ErrorKind::io, "no conversation function"};
  }
  const auto* conv = static_cast<const struct pam_conv*>(item);
  if (conv->conv == nullptr) return Error{ErrorKind::io, "no conversation function"};

  struct pam_message message {};
  message.msg_style = PAM_PROMPT_ECHO_OFF;
  message.msg = prompt.c_str();
  const struct pam_message* messages[] = {&message};
  struct pam_response* responses = nullptr;

  int rc = conv->conv(1, messages, &responses, conv->appdata_ptr);
  if (rc != PAM_SUCCESS || responses == nullptr) {
    if (responses != nullptr) {
      if (responses[0].resp != nullptr) {
        wipe_memory(responses[0].resp, std::strlen(responses[0].resp));
        std::free(responses[0].resp);
      }
      std::free(responses);
    }
    return Error{ErrorKind::io, "conversation failed"};
  }
  char* answer = responses[0].resp;
  std::free(responses);
  if (answer == nullptr) return Error{ErrorKind::invalid_input, "empty answer"};
  Secret token(answer);
  wipe_memory(answer, std::strlen(answer));
  std::free(answer);
  if (token.empty()) return Error{ErrorKind::invalid_input, "empty answer"};
  return token;
}

}  // namespace squadcast::pam
