package io.rocksmq.server;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The broken variant of {@link NamedProducerCrashTest}: between a kill and the restart it deletes every
 * topic's message records from the queue's files (its deduplication log among them: the {@code 0x18}
 * prefix of the {@code meta} column family), as if the window were not persisted with the messages or
 * not reloaded on open. A producer's resend of a batch the killed server had stored is then stored again.
 *
 * <p>Not thread-safe: called while no process has the queue open.
 */
final class ForgetfulRestart {
    private static final byte MESSAGE_RECORDS = 0x18;

    private ForgetfulRestart() {
    }

    static void wipeDeduplicationWindows(Path data) throws Exception {
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        try (Options options = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(options, data.toString())) {
                descriptors.add(new ColumnFamilyDescriptor(name));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.open(options, data.toString(), descriptors, handles)) {
            for (int i = 0; i < descriptors.size(); i++) {
                if (new String(descriptors.get(i).getName(), StandardCharsets.UTF_8).equals("meta")) {
                    db.deleteRange(handles.get(i), new byte[] {MESSAGE_RECORDS}, new byte[] {MESSAGE_RECORDS + 1});
                }
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
    }
}
