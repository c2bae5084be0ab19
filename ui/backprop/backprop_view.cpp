#include "ui/backprop/backprop_view.h"

#include <QDockWidget>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>

#include <algorithm>
#include <cmath>

#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

// Three significant digits with a true minus sign: what a student copies onto paper.
QString number(double value) {
  if (std::isnan(value)) return QStringLiteral("–");
  QString text = QString::number(value, 'g', 3);
  if (text.startsWith(QLatin1Char('-'))) text.replace(0, 1, QChar(0x2212));
  return text;
}

// A factor in a product: negative numbers in brackets.
QString factor(double value) {
  return value < 0 ? QStringLiteral("(%1)").arg(number(value)) : number(value);
}

QString subscript(int n) {
  static const QChar digits[] = {QChar(0x2080), QChar(0x2081), QChar(0x2082), QChar(0x2083),
                                 QChar(0x2084), QChar(0x2085), QChar(0x2086), QChar(0x2087),
                                 QChar(0x2088), QChar(0x2089)};
  QString text;
  for (const QChar c : QString::number(n)) text += digits[c.digitValue()];
  return text;
}

QString superscript(int n) {
  static const QChar digits[] = {QChar(0x2070), QChar(0x00B9), QChar(0x00B2), QChar(0x00B3),
                                 QChar(0x2074), QChar(0x2075), QChar(0x2076), QChar(0x2077),
                                 QChar(0x2078), QChar(0x2079)};
  QString text;
  for (const QChar c : QString::number(n)) text += digits[c.digitValue()];
  return text;
}

QString lossFormula(const std::string& loss) {
  if (loss == "binary_crossentropy") {
    return QStringLiteral("L = −[y·log p + (1 − y)·log(1 − p)]");
  }
  if (loss == "categorical_crossentropy") return QStringLiteral("L = −Σₖ yₖ·log pₖ");
  return QStringLiteral("L = mean over the outputs of (p − y)²");
}

double distanceToSegment(const QPointF& p, const QLineF& line) {
  const QPointF d = line.p2() - line.p1();
  const double length2 = d.x() * d.x() + d.y() * d.y();
  double t = length2 > 0 ? QPointF::dotProduct(p - line.p1(), d) / length2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const QPointF q = line.p1() + t * d;
  return std::hypot(p.x() - q.x(), p.y() - q.y());
}

}  // namespace

BackpropView::BackpropView(QWidget* parent) : PaintedView(parent) {
  setFocusPolicy(Qt::StrongFocus);
  canvas()->setFocusProxy(this);
  canvas()->setMouseTracking(false);
  m_step = new QPushButton(tr("Step"), this);
  m_step->setObjectName(QStringLiteral("backpropStep"));
  m_step->setToolTip(tr("Take one training step and trace it (Enter)"));
  m_previous = new QToolButton(this);
  m_previous->setArrowType(Qt::LeftArrow);
  m_previous->setToolTip(tr("Previous sub-step (←)"));
  m_next = new QToolButton(this);
  m_next->setArrowType(Qt::RightArrow);
  m_next->setToolTip(tr("Next sub-step (→)"));
  m_position = new QLabel(this);
  m_position->setObjectName(QStringLiteral("backpropPosition"));
  m_sampleLabel = new QLabel(tr("Sample"), this);
  m_sampleBox = new QSpinBox(this);
  m_sampleBox->setObjectName(QStringLiteral("backpropSample"));
  m_sampleBox->setToolTip(tr("The sample of the mini-batch whose z, a and δ are shown"));
  controls()->addWidget(m_step);
  controls()->addWidget(m_previous);
  controls()->addWidget(m_next);
  controls()->addWidget(m_position, 1);
  controls()->addWidget(m_sampleLabel);
  controls()->addWidget(m_sampleBox);
  for (QWidget* w : {static_cast<QWidget*>(m_step), static_cast<QWidget*>(m_previous),
                     static_cast<QWidget*>(m_next), static_cast<QWidget*>(m_sampleBox)}) {
    w->setFocusPolicy(Qt::ClickFocus);
  }
  connect(m_step, &QPushButton::clicked, this, &BackpropView::requestStep);
  connect(m_previous, &QToolButton::clicked, this, &BackpropView::previousSubStep);
  connect(m_next, &QToolButton::clicked, this, &BackpropView::nextSubStep);
  connect(m_sampleBox, &QSpinBox::valueChanged, this, [this](int value) { setSample(value - 1); });
  updateControls();
}

const core::BackpropTrace* BackpropView::trace() const {
  return hasTrace() ? m_snapshot->trace.get() : nullptr;
}

void BackpropView::clear() {
  if (!m_snapshot) return;
  // The lecturer's place (sub-step, sample, chosen weight) waits for the next trace.
  if (hasTrace() && m_pendingState.isEmpty()) m_pendingState = state();
  m_snapshot.reset();
  m_walk = BackpropWalk();
  layoutNetwork();
  updateControls();
  updateCanvas();
  // The new network (or why it cannot be traced) at once, while the view is on screen.
  if (isVisible()) emit traceRequested(false);
}

QString BackpropView::message() const {
  if (m_snapshot && !m_snapshot->trace) return m_snapshot->refusal;
  if (!m_snapshot) {
    return tr(
        "Press Step (or Enter) to take one training step and follow it: the forward pass "
        "layer by layer, the loss, the backward pass by the chain rule, and the update. "
        "→ and ← walk through it.");
  }
  return {};
}

void BackpropView::setTrace(const app::BackpropSnapshotPtr& snapshot) {
  const int previousIndex = m_walk.index();
  const bool hadTrace = hasTrace();
  m_snapshot = snapshot;
  const core::BackpropTrace* t = trace();
  m_walk = BackpropWalk(t ? int(t->layers.size()) : 0);
  if (t) {
    m_sample = std::clamp(m_sample, 0, t->samples - 1);
    m_chosenInput = std::clamp(m_chosenInput, 0, t->inputCount() - 1);
    m_chosenUnit = std::clamp(m_chosenUnit, 0, int(t->layers.front().z.rows()) - 1);
    // A preview keeps the lecturer's place; a new step starts from the sample again.
    if (hadTrace && !snapshot->stepTaken) m_walk.setIndex(previousIndex);
    if (!m_pendingState.isEmpty()) {
      const QJsonObject pending = m_pendingState;
      m_pendingState = {};
      setState(pending);
    }
  }
  layoutNetwork();
  updateControls();
  updateCanvas();
}

void BackpropView::requestStep() { emit traceRequested(true); }

void BackpropView::showEvent(QShowEvent* event) {
  PaintedView::showEvent(event);
  if (!m_snapshot) emit traceRequested(false);
}

void BackpropView::nextSubStep() {
  if (m_walk.next()) {
    updateControls();
    updateCanvas();
  }
}

void BackpropView::previousSubStep() {
  if (m_walk.previous()) {
    updateControls();
    updateCanvas();
  }
}

void BackpropView::setSample(int sample) {
  const core::BackpropTrace* t = trace();
  if (!t) return;
  sample = std::clamp(sample, 0, t->samples - 1);
  if (sample == m_sample) return;
  m_sample = sample;
  updateControls();
  updateCanvas();
}

void BackpropView::chooseWeight(int input, int unit) {
  const core::BackpropTrace* t = trace();
  if (!t || !t->pathSum(input, unit)) return;
  m_chosenInput = input;
  m_chosenUnit = unit;
  updateCanvas();
}

QJsonObject BackpropView::state() const {
  QJsonObject json;
  json.insert(QStringLiteral("sub_step"), m_walk.index());
  json.insert(QStringLiteral("sample"), m_sample);
  json.insert(QStringLiteral("weight"), QJsonArray{m_chosenInput, m_chosenUnit});
  return json;
}

void BackpropView::setState(const QJsonObject& state) {
  if (!hasTrace()) {
    // Applied to the first trace that arrives (a session opens before any step is traced).
    m_pendingState = state;
    m_sample = state.value(QStringLiteral("sample")).toInt();
    return;
  }
  const QJsonArray weight = state.value(QStringLiteral("weight")).toArray();
  if (weight.size() == 2) chooseWeight(weight.at(0).toInt(), weight.at(1).toInt());
  m_sample = std::clamp(state.value(QStringLiteral("sample")).toInt(), 0, trace()->samples - 1);
  m_walk.setIndex(state.value(QStringLiteral("sub_step")).toInt());
  updateControls();
  updateCanvas();
}

void BackpropView::updateControls() {
  const core::BackpropTrace* t = trace();
  m_previous->setEnabled(t && m_walk.index() > 0);
  m_next->setEnabled(t && m_walk.index() + 1 < m_walk.count());
  if (t) {
    m_position->setText(tr("%1/%2  %3")
                            .arg(m_walk.index() + 1)
                            .arg(m_walk.count())
                            .arg(m_walk.title(m_walk.current())));
  } else {
    m_position->clear();
  }
  const bool batch = t && t->samples > 1;
  m_sampleLabel->setVisible(batch);
  m_sampleBox->setVisible(batch);
  if (batch) {
    const QSignalBlocker blocker(m_sampleBox);
    m_sampleBox->setRange(1, t->samples);
    m_sampleBox->setValue(m_sample + 1);
    m_sampleBox->setSuffix(tr(" of %1").arg(t->samples));
  }
}

void BackpropView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_Right:
    case Qt::Key_Down:
    case Qt::Key_PageDown:
      nextSubStep();
      return;
    case Qt::Key_Left:
    case Qt::Key_Up:
    case Qt::Key_PageUp:
      previousSubStep();
      return;
    case Qt::Key_Home:
      m_walk.setIndex(0);
      break;
    case Qt::Key_End:
      m_walk.setIndex(m_walk.count() - 1);
      break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
      requestStep();
      return;
    default:
      PaintedView::keyPressEvent(event);
      return;
  }
  updateControls();
  updateCanvas();
}

// ------------------------------------------------------------------------------ geometry

int BackpropView::columnCount() const {
  const core::BackpropTrace* t = trace();
  return t ? int(t->layers.size()) + 1 : 0;
}

int BackpropView::unitsIn(int column) const {
  const core::BackpropTrace* t = trace();
  if (!t) return 0;
  return column == 0 ? t->inputCount() : int(t->layers[std::size_t(column - 1)].z.rows());
}

QString BackpropView::unitName(int column, int unit) const {
  if (column == 0) return QStringLiteral("x") + subscript(unit + 1);
  if (column == columnCount() - 1) {
    return unitsIn(column) == 1 ? QStringLiteral("o") : QStringLiteral("o") + subscript(unit + 1);
  }
  return QStringLiteral("h") + superscript(column) + subscript(unit + 1);
}

QStringList BackpropView::cardLines(int column, int unit) const {
  const core::BackpropTrace* t = trace();
  const auto s = Eigen::Index(m_sample);
  if (column == 0) return {QStringLiteral("x = %1").arg(number(t->inputs(unit, s)))};
  const int l = column - 1;
  const core::BackpropTraceLayer& layer = t->layers[std::size_t(l)];
  const bool forward = m_walk.forwardDone(l);
  QStringList lines{
      forward ? QStringLiteral("z = %1").arg(number(layer.z(unit, s))) : QStringLiteral("z"),
      forward ? QStringLiteral("a = %1").arg(number(layer.a(unit, s))) : QStringLiteral("a"),
      m_walk.backwardDone(l) ? QStringLiteral("δ = %1").arg(number(layer.delta(unit, s)))
                             : QStringLiteral("δ")};
  if (layer.output) {
    lines << (m_walk.lossShown() ? QStringLiteral("y = %1").arg(number(t->targets(unit, s)))
                                 : QStringLiteral("y"));
  }
  return lines;
}

void BackpropView::layoutNetwork() {
  m_cards.clear();
  m_edges.clear();
  m_tooSmall = false;
  const core::BackpropTrace* t = trace();
  const QRect r = canvas()->rect();
  if (!t) return;
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const QFontMetrics tfm(th.titleFont());
  const int top = r.top() + tfm.height() + 10;
  const QRect body(r.left() + 4, top, r.width() - 8, r.bottom() - top - 4);
  const int columns = columnCount();
  int maxUnits = 0;
  for (int c = 0; c < columns; ++c) maxUnits = std::max(maxUnits, unitsIn(c));
  const int line = fm.height();
  const int cardWidth = fm.horizontalAdvance(QStringLiteral("δ = −0.000123")) + 12;
  // A column holds a card and the labels of the edges leaving it.
  const int column = cardWidth + fm.horizontalAdvance(QStringLiteral("g −0.000123")) * 4 / 5;
  // The unit's name sits on its card's top border, half a line above it.
  const int nameHeight = line / 2;
  auto cardHeight = [&](int c) {
    return (c == 0 ? 1 : c == columns - 1 ? 4 : 3) * line + 8 + line / 4;
  };
  int networkHeight = 0;
  for (int c = 0; c < columns; ++c) {
    networkHeight = std::max(networkHeight, unitsIn(c) * (cardHeight(c) + nameHeight + 6));
  }
  const int panelWidth = fm.horizontalAdvance(QLatin1Char('x')) * 38;
  // The panel beside the network when both fit side by side, under it otherwise.
  if (body.width() >= columns * column + panelWidth + 8) {
    const int network = std::max(columns * column, body.width() * 11 / 20);
    m_networkRect = QRect(body.left(), body.top(), network, body.height());
    m_detailRect =
        QRect(m_networkRect.right() + 9, body.top(), body.width() - network - 9, body.height());
  } else {
    // Room for the title and eight lines; the network takes the rest.
    const int panel = std::clamp(body.height() - networkHeight - 6, 5 * line,
                                 std::max(5 * line, tfm.height() + 8 * (line + 2) + 12));
    m_networkRect = QRect(body.left(), body.top(), body.width(), body.height() - panel - 6);
    m_detailRect = QRect(body.left(), m_networkRect.bottom() + 7, body.width(), panel);
  }
  const double columnWidth = double(m_networkRect.width()) / columns;
  if (columnWidth < cardWidth * 1.3 || m_networkRect.height() < networkHeight) {
    m_tooSmall = true;
    return;
  }
  std::vector<std::vector<QRect>> rects(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) {
    const int units = unitsIn(c);
    const int height = cardHeight(c);
    const int slot = m_networkRect.height() / units;
    // The first column at the left edge and the last at the right: the room between the
    // columns is where the edges and their labels go.
    const int margin = cardWidth / 2 + 4;
    const int centre = columns > 1 ? m_networkRect.left() + margin +
                                         (m_networkRect.width() - 2 * margin) * c / (columns - 1)
                                   : m_networkRect.center().x();
    for (int u = 0; u < units; ++u) {
      const int y = m_networkRect.top() + u * slot + (slot - height + nameHeight) / 2;
      const QRect rect(centre - cardWidth / 2, y, cardWidth, height);
      rects[std::size_t(c)].push_back(rect);
      m_cards.push_back({c, u, rect});
    }
  }
  for (int l = 0; l + 1 < columns; ++l) {
    for (int j = 0; j < unitsIn(l + 1); ++j) {
      for (int i = 0; i < unitsIn(l); ++i) {
        const QRect& a = rects[std::size_t(l)][std::size_t(i)];
        const QRect& b = rects[std::size_t(l + 1)][std::size_t(j)];
        m_edges.push_back(
            {l, i, j,
             QLineF(a.right() + 1, a.center().y() + 0.5, b.left() - 1, b.center().y() + 0.5)});
      }
    }
  }
}

void BackpropView::canvasResized() { layoutNetwork(); }
void BackpropView::restyle() { layoutNetwork(); }

const BackpropView::Edge* BackpropView::edgeAt(const QPointF& pos) const {
  const Edge* best = nullptr;
  double bestDistance = 6.0;
  for (const Edge& e : m_edges) {
    const double d = distanceToSegment(pos, e.line);
    if (d < bestDistance) {
      bestDistance = d;
      best = &e;
    }
  }
  return best;
}

const BackpropView::Card* BackpropView::cardAt(const QPoint& pos) const {
  for (const Card& c : m_cards) {
    if (c.rect.contains(pos)) return &c;
  }
  return nullptr;
}

// ------------------------------------------------------------------------------ edges

bool BackpropView::onChosenPath(const Edge& edge) const {
  if (edge.layer == 0) return edge.from == m_chosenInput && edge.to == m_chosenUnit;
  // Every later edge lies on some path from the chosen weight, except those leaving the
  // other units of the first hidden layer.
  return edge.layer > 1 || edge.from == m_chosenUnit;
}

bool BackpropView::edgeInFocus(const Edge& edge) const {
  const BackpropWalk::SubStep& step = m_walk.current();
  switch (step.kind) {
    case BackpropWalk::Kind::Sample:
    case BackpropWalk::Kind::Loss:
      return false;
    case BackpropWalk::Kind::Forward:
    case BackpropWalk::Kind::Backward:
    case BackpropWalk::Kind::Update:
      return edge.layer == step.layer;
    case BackpropWalk::Kind::Paths:
      return onChosenPath(edge);
  }
  return false;
}

double BackpropView::edgeValue(const Edge& edge) const {
  const core::BackpropTraceLayer& layer = trace()->layers[std::size_t(edge.layer)];
  if (m_walk.updateDone(edge.layer)) return layer.kernelAfter(edge.from, edge.to);
  const BackpropWalk::Kind kind = m_walk.current().kind;
  if (kind == BackpropWalk::Kind::Backward && m_walk.current().layer == edge.layer) {
    return layer.kernelGradient(edge.from, edge.to);
  }
  return layer.kernelBefore(edge.from, edge.to);
}

QString BackpropView::edgeLabel(const Edge& edge) const {
  const core::BackpropTraceLayer& layer = trace()->layers[std::size_t(edge.layer)];
  const BackpropWalk::SubStep& step = m_walk.current();
  switch (step.kind) {
    case BackpropWalk::Kind::Forward:
      return edge.layer == step.layer ? number(layer.kernelBefore(edge.from, edge.to)) : QString();
    case BackpropWalk::Kind::Backward:
      return edge.layer == step.layer
                 ? QStringLiteral("g %1").arg(number(layer.kernelGradient(edge.from, edge.to)))
                 : QString();
    case BackpropWalk::Kind::Paths:
      return edge.layer == 0 && onChosenPath(edge)
                 ? QStringLiteral("g %1").arg(number(layer.kernelGradient(edge.from, edge.to)))
                 : QString();
    case BackpropWalk::Kind::Update:
      return edge.layer == step.layer
                 ? QStringLiteral("→ %1").arg(number(layer.kernelAfter(edge.from, edge.to)))
                 : QString();
    default:
      return {};
  }
}

void BackpropView::paintEdges(QPainter& painter) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  // Widths relative to the largest value of the same kind in the edge's layer.
  auto largest = [&](const Edge& of) {
    double m = 0.0;
    for (const Edge& e : m_edges) {
      if (e.layer == of.layer) m = std::max(m, std::abs(edgeValue(e)));
    }
    return m;
  };
  const double maxWidth = th.presentation ? 6.0 : 4.5;
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  const bool anyFocus =
      std::any_of(m_edges.begin(), m_edges.end(), [&](const Edge& e) { return edgeInFocus(e); });
  for (const Edge& e : m_edges) {
    const double value = edgeValue(e);
    const double scale = largest(e);
    const double width = scale > 0 ? 0.75 + (maxWidth - 0.75) * std::abs(value) / scale : 0.75;
    QColor colour = th.diverging(value >= 0 ? 0.85 : -0.85);
    if (anyFocus && !edgeInFocus(e)) colour = mixColors(colour, th.background, 0.8);
    painter.setPen(QPen(colour, width, Qt::SolidLine, Qt::FlatCap));
    painter.drawLine(e.line);
  }
  painter.restore();
}

void BackpropView::paintEdgeLabels(QPainter& painter) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  // Each label goes where it meets no card and no label placed before it, as near as possible
  // to a point that depends on its source unit (so labels of different units spread out); a
  // label that finds no room is left to the edge's tooltip.
  std::vector<QRectF> taken;
  for (const Card& card : m_cards) {
    taken.push_back(QRectF(card.rect).adjusted(-2, -fm.height() / 2.0 - 2, 2, 2));
  }
  painter.save();
  for (const Edge& e : m_edges) {
    const QString label = edgeLabel(e);
    if (label.isEmpty()) continue;
    const int sources = unitsIn(e.layer);
    const double preferred = sources > 1 ? 0.3 + 0.4 * e.from / double(sources - 1) : 0.5;
    std::vector<double> candidates;
    for (int k = 0; k <= 16; ++k) candidates.push_back(0.1 + 0.05 * k);
    std::sort(candidates.begin(), candidates.end(), [preferred](double a, double b) {
      return std::abs(a - preferred) < std::abs(b - preferred);
    });
    const int w = fm.horizontalAdvance(label) + 6;
    for (const double t : candidates) {
      const QPointF at = e.line.pointAt(t);
      const QRectF box(at.x() - w / 2.0, at.y() - fm.height() / 2.0, w, fm.height());
      if (std::any_of(taken.begin(), taken.end(),
                      [&box](const QRectF& other) { return other.intersects(box); })) {
        continue;
      }
      taken.push_back(box);
      painter.setPen(Qt::NoPen);
      QColor fill = th.background;
      fill.setAlpha(225);
      painter.setBrush(fill);
      painter.drawRoundedRect(box, 3, 3);
      painter.setPen(th.foreground);
      painter.drawText(box, Qt::AlignCenter, label);
      break;
    }
  }
  painter.restore();
}

// ------------------------------------------------------------------------------ cards

void BackpropView::paintCards(QPainter& painter) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  const BackpropWalk::SubStep& step = m_walk.current();
  for (const Card& card : m_cards) {
    const int l = card.column - 1;
    bool focus = false;
    if (step.kind == BackpropWalk::Kind::Sample) focus = card.column == 0;
    if (step.kind == BackpropWalk::Kind::Forward || step.kind == BackpropWalk::Kind::Backward) {
      focus = l == step.layer;
    }
    if (step.kind == BackpropWalk::Kind::Loss) focus = card.column == columnCount() - 1;
    if (step.kind == BackpropWalk::Kind::Paths) {
      focus = (card.column == 0 && card.unit == m_chosenInput) ||
              (card.column == 1 && card.unit == m_chosenUnit) || card.column > 1;
    }
    QColor fill = mixColors(th.background, th.accent, focus ? 0.16 : 0.05);
    painter.setBrush(fill);
    painter.setPen(QPen(focus ? th.accent : th.faint, focus ? 2.0 : 1.0));
    painter.drawRoundedRect(QRectF(card.rect).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
    // The unit's name on the card's top border.
    const QString name = unitName(card.column, card.unit);
    const int nameWidth = fm.horizontalAdvance(name) + 8;
    const QRect nameRect(card.rect.center().x() - nameWidth / 2,
                         card.rect.top() - fm.height() / 2 - 1, nameWidth, fm.height());
    painter.fillRect(nameRect, th.background);
    painter.setPen(th.foreground);
    painter.drawText(nameRect, Qt::AlignCenter, name);
    const QStringList lines = cardLines(card.column, card.unit);
    int y = card.rect.top() + 4 + fm.height() / 4;
    for (int i = 0; i < lines.size(); ++i) {
      const bool pending = !lines[i].contains(QLatin1Char('='));
      const bool delta = lines[i].startsWith(QChar(0x03B4));
      painter.setPen(pending ? th.faint : delta ? th.warning : th.foreground);
      painter.drawText(QRect(card.rect.left() + 6, y, card.rect.width() - 8, fm.height()),
                       Qt::AlignLeft | Qt::AlignVCenter, lines[i]);
      y += fm.height();
    }
  }
  painter.restore();
}

// ------------------------------------------------------------------------------ the panel

QStringList BackpropView::detailLines() const {
  const core::BackpropTrace* t = trace();
  if (!t) return {};
  const auto s = Eigen::Index(m_sample);
  const BackpropWalk::SubStep& step = m_walk.current();
  const int last = int(t->layers.size()) - 1;
  const bool batch = t->samples > 1;
  QStringList lines{m_walk.title(step)};
  auto inputName = [&](int layer, int unit) { return unitName(layer, unit); };
  switch (step.kind) {
    case BackpropWalk::Kind::Sample: {
      QStringList x, y;
      for (int i = 0; i < t->inputCount(); ++i) x << number(t->inputs(i, s));
      for (int k = 0; k < int(t->targets.rows()); ++k) y << number(t->targets(k, s));
      lines << (batch ? tr("Sample %1 of the %2 in step %3's mini-batch")
                            .arg(m_sample + 1)
                            .arg(t->samples)
                            .arg(formatStep(t->step + 1))
                      : tr("The one sample of step %1").arg(formatStep(t->step + 1)));
      lines << tr("x = (%1),  target y = (%2)")
                   .arg(x.join(QStringLiteral(", ")), y.join(QStringLiteral(", ")));
      lines << tr("%1, η = %2, %3")
                   .arg(QString::fromStdString(t->optimizer), number(t->learningRate),
                        QString::fromStdString(t->precision));
      lines << tr("→ runs the forward pass, layer by layer.");
      break;
    }
    case BackpropWalk::Kind::Forward: {
      const core::BackpropTraceLayer& layer = t->layers[std::size_t(step.layer)];
      const QString f = QString::fromStdString(layer.activation);
      lines << tr("z = Σ w·a + b,  a = %1(z)").arg(f);
      for (int j = 0; j < int(layer.z.rows()); ++j) {
        QStringList terms;
        for (int i = 0; i < int(layer.kernelBefore.rows()); ++i) {
          const double in =
              step.layer == 0 ? t->inputs(i, s) : t->layers[std::size_t(step.layer - 1)].a(i, s);
          terms << QStringLiteral("%1·%2").arg(factor(layer.kernelBefore(i, j)), factor(in));
        }
        if (layer.biasBefore.size() > 0) terms << factor(layer.biasBefore(j));
        lines << QStringLiteral("%1: z = %2 = %3,  a = %4")
                     .arg(unitName(step.layer + 1, j), terms.join(QStringLiteral(" + ")),
                          number(layer.z(j, s)), number(layer.a(j, s)));
      }
      break;
    }
    case BackpropWalk::Kind::Loss: {
      const core::BackpropTraceLayer& out = t->layers.back();
      lines << lossFormula(t->loss);
      QStringList p, y;
      for (int k = 0; k < int(out.a.rows()); ++k) {
        p << number(out.a(k, s));
        y << number(t->targets(k, s));
      }
      lines << tr("p = (%1),  y = (%2)")
                   .arg(p.join(QStringLiteral(", ")), y.join(QStringLiteral(", ")));
      lines << (batch ? tr("L = %1, the mean over the %2 samples")
                            .arg(number(t->dataLoss))
                            .arg(t->samples)
                      : tr("L = %1").arg(number(t->dataLoss)));
      if (t->regularizationLoss != 0.0) {
        lines << tr("+ L2 penalty %1 = %2")
                     .arg(number(t->regularizationLoss),
                          number(t->dataLoss + t->regularizationLoss));
      }
      lines << tr("→ starts the backward pass at the output.");
      break;
    }
    case BackpropWalk::Kind::Backward: {
      const core::BackpropTraceLayer& layer = t->layers[std::size_t(step.layer)];
      const QString f = QString::fromStdString(layer.activation);
      if (step.layer == last && t->fusedLoss) {
        lines << (batch ? tr("δ = ∂L/∂z = (p − y)/N: %1 output with cross-entropy").arg(f)
                        : tr("δ = ∂L/∂z = p − y: %1 output with cross-entropy").arg(f));
        for (int j = 0; j < int(layer.z.rows()); ++j) {
          lines << QStringLiteral("%1: δ = %2 − %3%4 = %5")
                       .arg(unitName(step.layer + 1, j), number(layer.a(j, s)),
                            factor(t->targets(j, s)),
                            batch ? QStringLiteral(" ÷ %1").arg(t->samples) : QString(),
                            number(layer.delta(j, s)));
        }
      } else {
        lines << (step.layer == last ? tr("δ = f′(z) · ∂L/∂a")
                                     : tr("δ = f′(z) · Σₖ w·δₖ  (the next layer's δ, weighted)"));
        for (int j = 0; j < int(layer.z.rows()); ++j) {
          lines << QStringLiteral("%1: δ = %2 × %3 = %4")
                       .arg(unitName(step.layer + 1, j), number(layer.derivative(j, s)),
                            factor(layer.upstream(j, s)), number(layer.delta(j, s)));
        }
      }
      lines << (batch ? tr("∂L/∂w = Σ over the samples of δ · a (on the edges), ∂L/∂b = Σ δ")
                      : tr("∂L/∂w = δ · a (on the edges; hover one for its factors), ∂L/∂b = δ"));
      break;
    }
    case BackpropWalk::Kind::Paths: {
      const core::BackpropPathSum* sum = t->pathSum(m_chosenInput, m_chosenUnit);
      if (!sum) break;
      const QString weight =
          QStringLiteral("w(%1 → %2)").arg(inputName(0, m_chosenInput), unitName(1, m_chosenUnit));
      lines << (sum->paths.size() == 1
                    ? tr("%1 reaches the loss through one path; its gradient is the product "
                         "of the factors along it:")
                          .arg(weight)
                    : tr("%1 reaches the loss through %2 paths; each contributes the product "
                         "of the factors along it, and the gradient is their sum:")
                          .arg(weight)
                          .arg(sum->paths.size()));
      std::vector<const core::BackpropPath*> order;
      for (const auto& p : sum->paths) order.push_back(&p);
      std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
        return std::abs(a->contribution) > std::abs(b->contribution);
      });
      const int shown = std::min<int>(int(order.size()), 6);
      for (int k = 0; k < shown; ++k) {
        const core::BackpropPath& p = *order[std::size_t(k)];
        QStringList route{inputName(0, m_chosenInput)};
        QStringList factors{factor(t->inputs(m_chosenInput, s))};
        for (std::size_t d = 0; d < p.units.size(); ++d) {
          route << unitName(int(d) + 1, p.units[d]);
          if (d + 1 < p.units.size()) {
            factors << factor(t->layers[d].derivative(p.units[d], s))
                    << factor(t->layers[d + 1].kernelBefore(p.units[d], p.units[d + 1]));
          }
        }
        factors << factor(t->layers.back().delta(p.units.back(), s));
        lines << (batch ? QStringLiteral("%1: %2").arg(route.join(QStringLiteral(" → ")),
                                                       number(p.contribution))
                        : QStringLiteral("%1: %2 = %3")
                              .arg(route.join(QStringLiteral(" → ")),
                                   factors.join(QStringLiteral(" × ")), number(p.contribution)));
      }
      if (int(order.size()) > shown) lines << tr("… and %1 more").arg(int(order.size()) - shown);
      lines << tr("Sum = %1;  the engine's ∂L/∂w = %2")
                   .arg(number(sum->sum), number(sum->engineGradient));
      if (t->layers.front().l2 != 0.0) lines << tr("(the sum includes the L2 term 2·λ·w)");
      lines << tr("Click another first-layer edge to choose it.");
      break;
    }
    case BackpropWalk::Kind::Update: {
      const core::BackpropTraceLayer& layer = t->layers[std::size_t(step.layer)];
      lines << tr("%1, η = %2:  %3")
                   .arg(QString::fromStdString(t->optimizer), number(t->learningRate),
                        QString::fromStdString(t->updateRule));
      if (!t->applied) lines << tr("Not applied: the loss or the gradient was not finite.");
      if (t->clipped) lines << tr("The gradient was clipped before the update.");
      // One line per unit: the weights into it, then its bias (the gradients are on the edges'
      // tooltips).
      for (int j = 0; j < int(layer.kernelBefore.cols()); ++j) {
        QStringList changes;
        for (int i = 0; i < int(layer.kernelBefore.rows()); ++i) {
          changes << QStringLiteral("%1 → %2").arg(number(layer.kernelBefore(i, j)),
                                                   number(layer.kernelAfter(i, j)));
        }
        QString text = QStringLiteral("%1: w %2")
                           .arg(unitName(step.layer + 1, j), changes.join(QStringLiteral(", ")));
        if (layer.biasBefore.size() > 0) {
          text += QStringLiteral(";  b %1 → %2")
                      .arg(number(layer.biasBefore(j)), number(layer.biasAfter(j)));
        }
        lines << text;
      }
      lines << tr("(weights from %1 in order; hover an edge for its gradient)")
                   .arg(step.layer == 0 ? tr("the inputs") : tr("the units above"));
      break;
    }
  }
  return lines;
}

void BackpropView::paintDetails(QPainter& painter) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const QStringList lines = detailLines();
  if (lines.isEmpty()) return;
  painter.save();
  painter.setPen(th.grid);
  painter.setBrush(Qt::NoBrush);
  painter.drawRoundedRect(QRectF(m_detailRect).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
  const QRect inner = m_detailRect.adjusted(8, 6, -8, -6);
  int y = inner.top();
  painter.setFont(th.titleFont());
  const QFontMetrics tfm(th.titleFont());
  painter.setPen(th.foreground);
  painter.drawText(QRect(inner.left(), y, inner.width(), tfm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   tfm.elidedText(lines.front(), Qt::ElideRight, inner.width()));
  y += tfm.height() + 4;
  painter.setFont(th.font());
  for (int i = 1; i < lines.size(); ++i) {
    // Long lines wrap once; what still does not fit is elided (the tooltips hold it all).
    const QRect room(inner.left(), y, inner.width(), inner.bottom() - y);
    if (room.height() < fm.height()) break;
    const QRect needed = fm.boundingRect(room, Qt::TextWordWrap, lines[i]);
    const int height = std::min(needed.height(), 2 * fm.height());
    if (height > room.height()) break;
    painter.drawText(QRect(room.left(), y, room.width(), height), Qt::TextWordWrap, lines[i]);
    y += height + 2;
  }
  painter.restore();
}

// ------------------------------------------------------------------------------ painting

void BackpropView::paintCanvas(QPainter& painter, const QRect& rect) {
  const Theme& th = theme();
  const QFontMetrics tfm(th.titleFont());
  const core::BackpropTrace* t = trace();
  QStringList titles;
  if (t) {
    const QString run = m_snapshot->runName.isEmpty()
                            ? QString()
                            : QStringLiteral(" — %1").arg(m_snapshot->runName);
    titles << tr("Backpropagation, step %1%2").arg(formatStep(t->step + 1), run)
           << tr("Step %1").arg(formatStep(t->step + 1));
  } else {
    titles << tr("Backpropagation, step by step");
  }
  drawTitle(painter, QRect(rect.left() + 6, rect.top() + 4, rect.width() - 12, tfm.height()),
            titles);
  if (!t) {
    drawMessage(painter, rect, message());
    return;
  }
  if (m_tooSmall) {
    drawMessage(painter, rect,
                tr("Too small to follow the step here: click to open it larger (or double-click "
                   "its title bar)"));
    return;
  }
  paintEdges(painter);
  paintCards(painter);
  paintEdgeLabels(painter);
  paintDetails(painter);
}

// ------------------------------------------------------------------------------ tooltips

QString BackpropView::edgeToolTip(const Edge& edge) const {
  const core::BackpropTrace* t = trace();
  const auto s = Eigen::Index(m_sample);
  const core::BackpropTraceLayer& layer = t->layers[std::size_t(edge.layer)];
  const QString from = unitName(edge.layer, edge.from);
  const QString to = unitName(edge.layer + 1, edge.to);
  const double input = edge.layer == 0 ? t->inputs(edge.from, s)
                                       : t->layers[std::size_t(edge.layer - 1)].a(edge.from, s);
  const double delta = layer.delta(edge.to, s);
  const double gradient = layer.kernelGradient(edge.from, edge.to);
  QStringList lines{
      tr("w(%1 → %2) = %3").arg(from, to, number(layer.kernelBefore(edge.from, edge.to)))};
  if (t->samples == 1) {
    lines << tr("∂L/∂w = δ(%1) × a(%2) = %3 × %4 = %5")
                 .arg(to, from, factor(delta), factor(input), number(gradient));
  } else {
    lines << tr("∂L/∂w = Σ over the %1 samples of δ(%2) × a(%3) = %4")
                 .arg(t->samples)
                 .arg(to, from, number(gradient));
    lines << tr("this sample: δ = %1, a = %2").arg(number(delta), number(input));
  }
  if (layer.l2 != 0.0) lines << tr("(including the L2 term 2·λ·w, λ = %1)").arg(number(layer.l2));
  lines << tr("the chain rule: δ(%1) = f′(z) · ∂L/∂a = %2 × %3")
               .arg(to, number(layer.derivative(edge.to, s)),
                    layer.upstream.size() && !std::isnan(layer.upstream(edge.to, s))
                        ? factor(layer.upstream(edge.to, s))
                        : tr("(p − y from the loss)"));
  if (t->clipped) {
    lines << tr("after clipping: %1").arg(number(layer.kernelApplied(edge.from, edge.to)));
  }
  lines << tr("update: %1 → %2")
               .arg(number(layer.kernelBefore(edge.from, edge.to)),
                    number(layer.kernelAfter(edge.from, edge.to)));
  return lines.join(QLatin1Char('\n'));
}

QString BackpropView::cardToolTip(const Card& card) const {
  const core::BackpropTrace* t = trace();
  const auto s = Eigen::Index(m_sample);
  const QString name = unitName(card.column, card.unit);
  if (card.column == 0) return tr("%1 = %2 (input)").arg(name, number(t->inputs(card.unit, s)));
  const core::BackpropTraceLayer& layer = t->layers[std::size_t(card.column - 1)];
  const int j = card.unit;
  QStringList lines{
      tr("%1 (%2)").arg(name, QString::fromStdString(layer.activation)),
      tr("z = %1,  a = %2,  f′(z) = %3")
          .arg(number(layer.z(j, s)), number(layer.a(j, s)), number(layer.derivative(j, s)))};
  if (layer.output && t->fusedLoss) {
    lines << tr("δ = ∂L/∂z = %1 (from the loss)").arg(number(layer.delta(j, s)));
  } else {
    lines << tr("∂L/∂a = %1%2")
                 .arg(number(layer.upstream(j, s)),
                      layer.output ? tr(" (from the loss)") : tr(" = Σₖ w·δₖ"));
    lines << tr("δ = f′(z) · ∂L/∂a = %1").arg(number(layer.delta(j, s)));
  }
  if (layer.biasBefore.size() > 0) {
    lines << tr("∂L/∂b = %1;  b: %2 → %3")
                 .arg(number(layer.biasGradient(j)), number(layer.biasBefore(j)),
                      number(layer.biasAfter(j)));
  }
  return lines.join(QLatin1Char('\n'));
}

QString BackpropView::canvasToolTip(const QPoint& pos) const {
  if (!hasTrace() || m_tooSmall) return {};
  if (const Card* card = cardAt(pos)) return cardToolTip(*card);
  if (const Edge* edge = edgeAt(pos)) return edgeToolTip(*edge);
  return {};
}

void BackpropView::openLarger() {
  auto* dock = qobject_cast<QDockWidget*>(parentWidget());
  QWidget* window = dock ? dock->parentWidget() : nullptr;
  if (!dock || !window) return;
  // Floating over the dashboard at three quarters of its size, where every number is legible.
  dock->setFloating(true);
  const QRect area = window->geometry();
  dock->setGeometry(
      QRect(area.topLeft() + QPoint(area.width() / 8, area.height() / 8), area.size() * 3 / 4));
  dock->raise();
  setFocus(Qt::OtherFocusReason);
}

void BackpropView::canvasPressed(QMouseEvent* event) {
  setFocus(Qt::MouseFocusReason);
  if (hasTrace() && m_tooSmall) {
    openLarger();
    event->accept();
    return;
  }
  if (!hasTrace()) return;
  if (const Edge* edge = edgeAt(event->position()); edge && edge->layer == 0) {
    chooseWeight(edge->from, edge->to);
    event->accept();
  }
}

}  // namespace gradscope::ui
