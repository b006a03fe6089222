package dev.berth.worker;

import dev.berth.config.WorkerConfig;

import java.util.List;

/** Makes each worker's handler: the fixed text, or an instance of the class its config names. */
public final class WorkerHandlers {

  private WorkerHandlers() {
  }

  /**
   * Finds every configured handler class before the node starts, so that a wrong name stops it at once.
   *
   * @throws HandlerException naming the worker's key and what is wrong with its class
   */
  public static void check(List<WorkerConfig> workers) throws HandlerException {
    for (int i = 0; i < workers.size(); i++) {
      if (workers.get(i).handler() != null) {
        handlerClass("workers[" + i + "].handler", workers.get(i).handler());
      }
    }
  }

  /** A new handler for one verticle instance of {@code worker}; its class was checked at start-up. */
  public static WorkerHandler create(WorkerConfig worker) {
    if (worker.handler() == null) {
      return new FixedText(worker.response(), worker.delayMs());
    }
    try {
      return handlerClass("handler", worker.handler()).getConstructor().newInstance();
    } catch (HandlerException | ReflectiveOperationException e) {
      throw new IllegalStateException("cannot make a " + worker.handler() + ": " + e.getMessage(), e);
    }
  }

  private static Class<? extends WorkerHandler> handlerClass(String key, String name) throws HandlerException {
    Class<?> found;
    try {
      found = Class.forName(name, false, WorkerHandlers.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new HandlerException(key + ": no class " + name + " on the classpath (run java -cp berth.jar:<your jar>"
        + " dev.berth.Main -conf ...)");
    }
    if (!WorkerHandler.class.isAssignableFrom(found)) {
      throw new HandlerException(key + ": " + name + " does not implement " + WorkerHandler.class.getName());
    }
    try {
      found.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new HandlerException(key + ": " + name + " has no public constructor without arguments");
    }
    return found.asSubclass(WorkerHandler.class);
  }
}
