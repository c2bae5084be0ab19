// The hand-over between threads of app/worker/thread_mailbox.h: work posted from another
// thread runs on the mailbox's thread, all of it, in the order posted, with the values it
// captured intact, never inside post(); and a mailbox moved with its parent to a worker thread
// runs its work there (run under ThreadSanitizer by scripts/test).
#include <QtTest>

#include <thread>
#include <vector>

#include "app/worker/thread_mailbox.h"

using gradscope::app::ThreadMailbox;

class TestThreadMailbox : public QObject {
  Q_OBJECT
 private slots:
  void workFromAnotherThreadRunsHereInOrder() {
    ThreadMailbox mailbox;
    constexpr int kPosts = 2000;
    std::vector<int> order;
    QStringList texts;
    bool allHere = true;
    std::thread poster([&] {
      for (int i = 0; i < kPosts; ++i) {
        const QString text = QString::number(i);
        mailbox.post([&, i, text] {
          allHere = allHere && QThread::currentThread() == mailbox.thread();
          order.push_back(i);
          texts.push_back(text);
        });
      }
    });
    poster.join();
    QVERIFY(order.empty());  // nothing runs until this thread's event loop does
    QTRY_COMPARE(int(order.size()), kPosts);
    QVERIFY(allHere);
    for (int i = 0; i < kPosts; ++i) {
      QCOMPARE(order[std::size_t(i)], i);
      QCOMPARE(texts[i], QString::number(i));
    }
  }

  void neverRunsInsidePost() {
    ThreadMailbox mailbox;
    int runs = 0;
    mailbox.post([&] { ++runs; });
    QCOMPARE(runs, 0);
    QTRY_COMPARE(runs, 1);
  }

  void movedWithItsParentItRunsOnTheWorkerThread() {
    QThread thread;
    auto* owner = new QObject;
    auto* mailbox = new ThreadMailbox(owner);
    owner->moveToThread(&thread);
    connect(&thread, &QThread::finished, owner, &QObject::deleteLater);
    thread.start();
    std::atomic<QThread*> ranOn = nullptr;
    std::vector<int> values;  // written on the worker thread, read here after the hand-back
    for (int i = 0; i < 100; ++i) mailbox->post([&values, i] { values.push_back(i); });
    ThreadMailbox back;
    std::atomic<bool> done = false;
    mailbox->post([&] {
      ranOn = QThread::currentThread();
      back.post([&] { done = true; });
    });
    QTRY_VERIFY(done.load());
    QCOMPARE(ranOn.load(), &thread);
    QCOMPARE(int(values.size()), 100);
    for (int i = 0; i < 100; ++i) QCOMPARE(values[std::size_t(i)], i);
    thread.quit();
    thread.wait();
  }
};

QTEST_GUILESS_MAIN(TestThreadMailbox)
#include "tst_thread_mailbox.moc"
