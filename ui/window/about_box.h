// The About box: the version, the kernel level in use and the notices.
#pragma once

class QWidget;

namespace gradscope::ui {

void showAboutBox(QWidget* parent);

}  // namespace gradscope::ui
