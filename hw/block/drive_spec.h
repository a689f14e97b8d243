// QEMU's drive options, parsed into what the board needs to attach a disk:
//   -drive file=PATH[,format=raw][,if=ide][,index=N|bus=B,unit=U]
//          [,media=disk][,readonly=on|off][,cache=MODE][,id=NAME]
//   -hda/-hdb/-hdc/-hdd PATH   (index 0..3, as QEMU)
// Pure functions, no file access: opening the image is BlockBackend's job.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mimic::hw::block {

struct DriveSpec {
  static constexpr int kMaxIndex = 3;   // two IDE channels x master/slave

  std::string path;
  std::string interface = "ide";   // only IDE exists on the Malta board
  // 0 primary master, 1 primary slave, 2 secondary master, 3 secondary
  // slave; -1 until assigned (a -drive without index=/bus=/unit= takes the
  // first free one, see assignDriveIndexes()).
  int index = -1;
  int auto_from = 0;               // index < 0: where the search starts (bus= given: 2*bus)
  bool read_only = false;
  std::string media = "disk";
  std::string id;                  // id=, informational
};

// Parses the value of one -drive option. On error returns false and sets
// `err` to one line naming the option, e.g.
//   "-drive file=a.qcow2,format=qcow2: only format=raw is supported".
// Accepted keys: file, format (raw), if (ide), index (0..3), bus (0..1) and
// unit (0..1) (index = 2*bus + unit; not together with index), media (disk),
// readonly / read-only (on|off|true|false|yes|no), cache (writeback,
// writethrough, none, directsync, unsafe: accepted and ignored; mimic's I/O
// is synchronous and FLUSH CACHE always reaches the disk), id. A comma
// inside a value is written ",," as in QEMU.
bool parseDriveOption(std::string_view text, DriveSpec& out, std::string& err);

// -hda (0), -hdb (1), -hdc (2), -hdd (3). False with `err` set when `path`
// is empty or the index is out of range.
bool parseHdOption(int index, std::string_view path, DriveSpec& out, std::string& err);

// Resolves indexes in command-line order, as QEMU does: a drive without one
// takes the first free index from auto_from on; two drives with the same
// index are an error. False with `err` set otherwise.
bool assignDriveIndexes(std::vector<DriveSpec>& drives, std::string& err);

}  // namespace mimic::hw::block
