// The asyncify.* imports declared in coro_asyncify.c are replaced by
// binaryen's Asyncify pass, which the Makefile runs after linking. These stubs
// only tell emcc the symbols exist; they are never called.
mergeInto(LibraryManager.library, {
  start_unwind: function () { abort('wasyncio: the Asyncify pass was not run'); },
  stop_unwind: function () { abort('wasyncio: the Asyncify pass was not run'); },
  start_rewind: function () { abort('wasyncio: the Asyncify pass was not run'); },
  stop_rewind: function () { abort('wasyncio: the Asyncify pass was not run'); },
});
