// SPDX-License-Identifier: GPL-2.0
// A small program that uses libstdc++, for "make demo": it prints one
// line, then waits on stdin so that its memory map can be looked at.
#include <iostream>
#include <string>

int main()
{
	std::string line;

	std::cout << "stdcxx-demo: running" << std::endl;
	std::getline(std::cin, line);
	return 0;
}
