#include "ui/window/about_box.h"

#include <QCoreApplication>
#include <QMessageBox>

#include "core/kernels/kernel_level.h"

namespace gradscope::ui {

void showAboutBox(QWidget* parent) {
  const QString level = QString::fromLatin1(core::kernelLevelName(core::kernelLevel()));
  QMessageBox::about(
      parent, QObject::tr("About GradScope"),
      QObject::tr("<h3>GradScope %1</h3>"
                  "<p>Watch a deep network train: gradients, saturation, optimisers, "
                  "schedules.</p>"
                  "<p>Kernels in use: <b>%2</b> (chosen for this processor at start-up; "
                  "GRADSCOPE_KERNELS=baseline, avx2 or avx512 forces one).</p>"
                  "<p>MNIST and Fashion-MNIST, when downloaded, remain under their "
                  "authors' terms (see the notices installed with GradScope).</p>")
          .arg(QCoreApplication::applicationVersion().section(QLatin1Char(' '), 0, 0), level));
}

}  // namespace gradscope::ui
